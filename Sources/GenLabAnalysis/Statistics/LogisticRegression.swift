import Foundation

/// scikit-learn's `LogisticRegression()` with its defaults (L2 penalty, C = 1, an unpenalised
/// intercept; multinomial for three classes or more, one logistic for two): the minimiser of
/// C·Σ log-loss + ½‖W‖², fitted to its optimum by Newton's method (scikit-learn's lbfgs stops
/// within its tolerance of the same optimum). The β-VAE metric's classifier.
public struct LogisticRegression: LinearClassifier {
    /// The labels seen in training, ascending.
    public let classes: [Int]
    /// [row][feature] weights and the intercepts: one row per class (multinomial), or one
    /// for `classes[1]` (two classes).
    public let weights: [[Double]]
    public let intercepts: [Double]

    /// Fits `features` ([point][feature]) to `labels`.
    public init(features: [[Double]], labels: [Int], c: Double = 1) {
        let classes = Array(Set(labels)).sorted()
        self.classes = classes
        let d = features.first?.count ?? 0, rows = classes.count > 2 ? classes.count : classes.count - 1
        guard rows > 0 else {
            (weights, intercepts) = ([], [])
            return
        }
        let place = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let targets = labels.map { place[$0]! }
        let width = d + 1
        // each point with its constant 1, flat
        let augmented: [Double] = features.flatMap { $0 + [1.0] }
        // θ: each row's weights then intercept; a multinomial's first intercept stays 0 (the
        // softmax is unchanged by a shift of every intercept), so the Hessian is definite
        let free = rows * width - (rows > 1 ? 1 : 0)
        func unpacked(_ theta: [Double]) -> [[Double]] {
            let full = rows > 1 ? Array(theta[0..<d]) + [0] + Array(theta[d...]) : theta
            return (0..<rows).map { Array(full[($0 * width)..<(($0 + 1) * width)]) }
        }
        let objective: NewtonMinimizer.Objective = { theta in
            let w = unpacked(theta)
            var value = 0.0
            var gradient = [Double](repeating: 0, count: rows * width)
            var hessian = [Double](repeating: 0, count: rows * width * rows * width)
            let n = rows * width
            var z = [Double](repeating: 0, count: rows), p = z
            for (i, y) in targets.enumerated() {
                let x = i * width
                for k in 0..<rows {
                    var sum = 0.0
                    for a in 0..<width { sum += w[k][a] * augmented[x + a] }
                    z[k] = sum
                }
                // probabilities and the residuals p − [y = k]
                if rows == 1 {
                    p[0] = 1 / (1 + exp(-z[0]))
                    value += y == 1 ? LogisticRegression.softplus(-z[0]) : LogisticRegression.softplus(z[0])
                } else {
                    let top = z.max()!
                    var sum = 0.0
                    for k in 0..<rows {
                        p[k] = exp(z[k] - top)
                        sum += p[k]
                    }
                    for k in 0..<rows { p[k] /= sum }
                    value += top + log(sum) - z[y]
                }
                for k in 0..<rows {
                    let residual = p[k] - ((rows == 1 ? y == 1 : y == k) ? 1 : 0)
                    for a in 0..<width { gradient[k * width + a] += residual * augmented[x + a] }
                    for l in k..<rows {
                        let curvature = rows == 1 ? p[0] * (1 - p[0]) : p[k] * ((k == l ? 1 : 0) - p[l])
                        for a in 0..<width {
                            let scaled = curvature * augmented[x + a]
                            let row = (k * width + a) * n + l * width
                            for b in 0..<width { hessian[row + b] += scaled * augmented[x + b] }
                        }
                    }
                }
            }
            // ½‖W‖² on the weights, not the intercepts (the whole objective divided by C)
            for k in 0..<rows {
                for a in 0..<d {
                    let i = k * width + a
                    value += w[k][a] * w[k][a] / (2 * c)
                    gradient[i] += w[k][a] / c
                    hessian[i * n + i] += 1 / c
                }
            }
            for k in 0..<rows { for l in (k + 1)..<rows { for a in 0..<width { for b in 0..<width {
                hessian[(l * width + b) * n + k * width + a] = hessian[(k * width + a) * n + l * width + b]
            } } } }
            guard rows > 1 else { return (value, gradient, hessian) }
            // without the first intercept (index d)
            let kept = (0..<n).filter { $0 != d }
            return (value, kept.map { gradient[$0] }, kept.flatMap { i in kept.map { hessian[i * n + $0] } })
        }
        let theta = NewtonMinimizer().minimize(from: [Double](repeating: 0, count: free), objective)
        let w = unpacked(theta)
        weights = w.map { Array($0[0..<d]) }
        intercepts = w.map { $0[d] }
    }

    /// log(1 + eˣ) without overflow.
    static func softplus(_ x: Double) -> Double { x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)) }
}
