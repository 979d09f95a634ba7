/// The β-VAE metric (Higgins et al., 2017), as disentanglement_lib computes it
/// (`evaluation/metrics/beta_vae.py`, default settings): each point is a batch of pairs of
/// representations whose images share one factor's value; its feature is the mean over the
/// batch of |z₁ − z₂|, its label the factor shared; a `LogisticRegression()` trained on the
/// training points predicts the factor, and the score is its accuracy.
public enum BetaVAEScore {
    /// One point's batch: the factor shared and the two representations of each pair,
    /// [pair][dimension].
    public struct Batch: Sendable {
        public let factor: Int
        public let first: [[Double]]
        public let second: [[Double]]

        public init(factor: Int, first: [[Double]], second: [[Double]]) {
            (self.factor, self.first, self.second) = (factor, first, second)
        }

        /// mean over the pairs of |z₁ − z₂|, dimension by dimension.
        public var feature: [Double] {
            let width = first.first?.count ?? 0
            return (0..<width).map { d in zip(first, second).reduce(0) { $0 + abs($1.0[d] - $1.1[d]) } / Double(first.count) }
        }
    }

    /// The accuracies, the classifier and the points' features.
    public struct Result: Sendable {
        public let trainAccuracy: Double
        public let evalAccuracy: Double
        public let classifier: LogisticRegression
        /// Each batch's feature, the training batches first.
        public let features: [[Double]]
    }

    public static func compute(train: [Batch], eval: [Batch]) -> Result {
        let features = train.map { $0.feature }, evalFeatures = eval.map { $0.feature }, labels = train.map { $0.factor }
        let classifier = LogisticRegression(features: features, labels: labels)
        return Result(trainAccuracy: classifier.accuracy(features: features, labels: labels),
                      evalAccuracy: classifier.accuracy(features: evalFeatures, labels: eval.map { $0.factor }),
                      classifier: classifier, features: features + evalFeatures)
    }
}
