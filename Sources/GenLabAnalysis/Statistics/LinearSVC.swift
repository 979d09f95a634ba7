/// scikit-learn's `LinearSVC(C:, class_weight: "balanced")` (squared hinge loss, L2 penalty,
/// the intercept a feature of value 1 and penalised like the weights, as liblinear does),
/// one-vs-rest for three classes or more: each class's (w, b) minimises
/// ½(‖w‖² + b²) + Σᵢ Cᵢ·max(0, 1 − sᵢ(w·xᵢ + b))², sᵢ = ±1, where liblinear gives the class's
/// own points C·(its balanced weight) and the rest C; with two classes one classifier, for
/// `classes[1]`, each point weighted C·(its class's balanced weight). Fitted to the optimum by
/// generalised Newton steps (liblinear stops within its tolerance of the same optimum). The
/// SAP score's classifier.
public struct LinearSVC: LinearClassifier {
    /// The labels seen in training, ascending.
    public let classes: [Int]
    /// [classifier][feature] weights and the intercepts.
    public let weights: [[Double]]
    public let intercepts: [Double]

    /// Fits `features` ([point][feature]) to `labels`.
    public init(features: [[Double]], labels: [Int], c: Double) {
        let classes = Array(Set(labels)).sorted()
        self.classes = classes
        let counts = classes.map { label in labels.filter { $0 == label }.count }
        // scikit-learn's compute_class_weight("balanced"): n / (classes · count)
        let balance = counts.map { Double(labels.count) / (Double(classes.count) * Double($0)) }
        let place = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let targets = labels.map { place[$0]! }
        let positives: [Int] = classes.count > 2 ? Array(classes.indices) : classes.count == 2 ? [1] : []
        var weights: [[Double]] = [], intercepts: [Double] = []
        for k in positives {
            let signs = targets.map { $0 == k ? 1.0 : -1.0 }
            let costs = targets.map { classes.count > 2 ? ($0 == k ? c * balance[k] : c) : c * balance[$0] }
            let theta = LinearSVC.fit(features, signs: signs, costs: costs)
            weights.append(Array(theta.dropLast()))
            intercepts.append(theta.last!)
        }
        (self.weights, self.intercepts) = (weights, intercepts)
    }

    /// (w, b) of one binary problem.
    static func fit(_ features: [[Double]], signs: [Double], costs: [Double]) -> [Double] {
        let width = (features.first?.count ?? 0) + 1
        // each point with its constant 1, flat
        let augmented: [Double] = features.flatMap { $0 + [1.0] }
        return NewtonMinimizer().minimize(from: [Double](repeating: 0, count: width)) { theta in
            var value = theta.reduce(0) { $0 + $1 * $1 } / 2
            var gradient = theta
            var hessian = [Double](repeating: 0, count: width * width)
            for i in 0..<width { hessian[i * width + i] = 1 }
            for i in signs.indices {
                let x = i * width
                var decision = 0.0
                for a in 0..<width { decision += theta[a] * augmented[x + a] }
                let margin = 1 - signs[i] * decision
                guard margin > 0 else { continue }
                let cost = costs[i]
                value += cost * margin * margin
                for a in 0..<width {
                    gradient[a] -= 2 * cost * margin * signs[i] * augmented[x + a]
                    for b in 0..<width { hessian[a * width + b] += 2 * cost * augmented[x + a] * augmented[x + b] }
                }
            }
            return (value, gradient, hessian)
        }
    }
}
