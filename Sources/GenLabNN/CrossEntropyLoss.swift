import Foundation

/// `torch.nn.functional.cross_entropy` on logits (N × C) and class indices: per row
/// logsumexp(x) − x[target], reduced by mean (over rows) or sum. Also the softmax it is built
/// on, as probabilities p(y|x).
public struct CrossEntropyLoss: Sendable {
    public var reduction: Reduction
    public init(reduction: Reduction = .mean) { self.reduction = reduction }

    private func check(_ logits: Tensor, _ targets: [Int32]) throws(ShapeError) -> (rows: Int, classes: Int) {
        guard logits.shape.count == 2, logits.shape[0] == targets.count else {
            throw ShapeError("cross_entropy: logits \(logits.shape.shapeDescription) against \(targets.count) targets")
        }
        let classes = logits.shape[1]
        guard let bad = targets.first(where: { $0 < 0 || Int($0) >= classes }) else { return (targets.count, classes) }
        throw ShapeError("cross_entropy: target \(bad) is not a class of \(classes)")
    }

    /// Softmax of each row of `logits` (N × C), computed from the row's maximum.
    public static func softmax(_ logits: Tensor) -> [Float] {
        let classes = logits.shape.last ?? 1, rows = logits.count / max(classes, 1)
        var p = [Float](repeating: 0, count: logits.count)
        for r in 0..<rows {
            var top = -Float.infinity
            for c in 0..<classes { top = Swift.max(top, logits[r * classes + c]) }
            var sum = 0.0
            for c in 0..<classes { sum += Foundation.exp(Double(logits[r * classes + c] - top)) }
            for c in 0..<classes { p[r * classes + c] = Float(Foundation.exp(Double(logits[r * classes + c] - top)) / sum) }
        }
        return p
    }

    public func forward(_ logits: Tensor, _ targets: [Int32]) throws(ShapeError) -> Float {
        let (rows, classes) = try check(logits, targets)
        var total = 0.0
        for r in 0..<rows {
            var top = -Float.infinity
            for c in 0..<classes { top = Swift.max(top, logits[r * classes + c]) }
            var sum = 0.0
            for c in 0..<classes { sum += Foundation.exp(Double(logits[r * classes + c] - top)) }
            total += Double(top) + Foundation.log(sum) - Double(logits[r * classes + Int(targets[r])])
        }
        return Float(reduction == .sum ? total : total / Double(max(rows, 1)))
    }

    /// Writes scale · ∂loss/∂logits into `gradLogits`: (softmax − one-hot) per row, divided by N
    /// for the mean.
    public func backward(_ logits: Tensor, _ targets: [Int32], scale: Float = 1, into gradLogits: Tensor) throws(ShapeError) {
        let (rows, classes) = try check(logits, targets)
        gradLogits.resize(to: logits.shape)
        let k = scale / (reduction == .sum ? 1 : Float(max(rows, 1)))
        let p = CrossEntropyLoss.softmax(logits)
        for r in 0..<rows {
            for c in 0..<classes {
                gradLogits[r * classes + c] = k * (p[r * classes + c] - (c == Int(targets[r]) ? 1 : 0))
            }
        }
    }
}
