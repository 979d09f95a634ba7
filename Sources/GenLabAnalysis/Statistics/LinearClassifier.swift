/// A fitted linear classifier as scikit-learn predicts with it: decision values w·x + b, one
/// per row; the class of the largest (the first of equal ones), or with two classes and one
/// row `classes[1]` where it is positive.
public protocol LinearClassifier: Sendable {
    /// The labels seen in training, ascending.
    var classes: [Int] { get }
    /// [row][feature] weights.
    var weights: [[Double]] { get }
    var intercepts: [Double] { get }
}

extension LinearClassifier {
    /// The predicted label of one point.
    public func predict(_ x: [Double]) -> Int {
        let z = zip(weights, intercepts).map { row, b in zip(row, x).reduce(b) { $0 + $1.0 * $1.1 } }
        if classes.count == 1 { return classes[0] }
        if z.count == 1 { return classes[z[0] > 0 ? 1 : 0] }
        return classes[z.indices.reduce(0) { z[$1] > z[$0] ? $1 : $0 }]
    }

    /// The fraction of `labels` predicted from `features` ([point][feature]).
    public func accuracy(features: [[Double]], labels: [Int]) -> Double {
        guard !labels.isEmpty else { return 0 }
        return Double(zip(features, labels).filter { predict($0) == $1 }.count) / Double(labels.count)
    }
}
