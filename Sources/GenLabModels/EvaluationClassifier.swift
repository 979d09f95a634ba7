import GenLabNN

/// GenLab's own evaluation classifier for a dataset's images (on the pixel scale [0, 1]):
/// Conv2d(C→32, 4, stride 2, padding 1), ReLU, Conv2d(32→64, 4, 2, 1), ReLU, Flatten,
/// Linear(→128), ReLU — the 128 penultimate features — then Linear(128→classes), trained with
/// cross-entropy and Adam (lr 1e-3). Initialised as PyTorch does, from a seed. The Fréchet
/// distance and the classifier-based scores of generators are computed on it, so they compare
/// only within GenLab and only for the same `name`.
public final class EvaluationClassifier {
    /// Bumped whenever the architecture or its training changes (cached files of another
    /// version are not used).
    public static let version = 1
    /// The penultimate feature count.
    public static let featureCount = 128

    public let imageShape: [Int]
    public let classes: Int
    /// Everything but the last Linear: images → features.
    public let body: Sequential
    /// The last Linear: features → logits.
    public let head: Linear
    /// body then head, as stored.
    public let network: Sequential
    public let optimizer: Adam
    private let loss = CrossEntropyLoss()
    private let gradLogits = Tensor(zeros: [0])

    /// "genlab-cnn-v1": what the scores computed on it are named after.
    public static var name: String { "genlab-cnn-v\(version)" }

    /// A classifier of `classes` classes for images of `imageShape` (C, H, W; H and W
    /// multiples of 4), initialised from `seed`.
    public init(imageShape: [Int], classes: Int, seed: UInt64) throws(ShapeError) {
        guard imageShape.count == 3, imageShape[1] % 4 == 0, imageShape[2] % 4 == 0, imageShape.allSatisfy({ $0 > 0 }), classes > 1 else {
            throw ShapeError("the evaluation classifier needs C×H×W images with H and W multiples of 4 and at least 2 classes, not \(imageShape.shapeDescription) and \(classes)")
        }
        self.imageShape = imageShape
        self.classes = classes
        let flat = 64 * (imageShape[1] / 4) * (imageShape[2] / 4)
        let layers: [Layer] = [Conv2d(inChannels: imageShape[0], outChannels: 32, kernelSize: 4, stride: 2, padding: 1), Activation(.relu),
                               Conv2d(inChannels: 32, outChannels: 64, kernelSize: 4, stride: 2, padding: 1), Activation(.relu),
                               Reshape.flatten(), Linear(inFeatures: flat, outFeatures: EvaluationClassifier.featureCount), Activation(.relu)]
        head = Linear(inFeatures: EvaluationClassifier.featureCount, outFeatures: classes)
        body = Sequential(layers)
        network = Sequential(layers + [head])
        var generator = RandomGenerator(seed: seed, stream: .evaluationClassifier)
        network.reset(.pytorch, generator: &generator)
        optimizer = Adam(network.parameters, lr: 1e-3)
    }

    /// One Adam step of cross-entropy on a batch (N × C × H × W, pixel scale); returns the loss.
    public func step(_ images: Tensor, labels: [Int32]) throws(ShapeError) -> Float {
        network.isTraining = true
        optimizer.zeroGrad()
        let logits = try network.forward(images)
        let value = try loss.forward(logits, labels)
        try loss.backward(logits, labels, into: gradLogits)
        _ = try network.backward(gradLogits)
        optimizer.step()
        return value
    }

    /// The penultimate features (N × 128) and the class probabilities p(y|x) (N × classes)
    /// of a batch, in evaluation mode.
    public func evaluate(_ images: Tensor) throws(ShapeError) -> (features: [Float], probabilities: [Float]) {
        network.isTraining = false
        let features = try body.forward(images)
        let values = features.values
        return (values, CrossEntropyLoss.softmax(try head.forward(features)))
    }
}
