import GenLabModels
import GenLabSpec
import GenLabStore

/// A trained model loaded from its run file: the configuration it was trained with, its
/// networks with the weights and buffers of the file's last checkpoint (BatchNorm statistics,
/// spectral-norm vectors, a learned σx), ready for evaluation. Analyses use it, never the
/// samples or latents recorded during training.
public final class TrainedRun {
    /// The run file.
    public let path: String
    /// The run file's metadata (status, run id, sweep point).
    public let metadata: RunMetadata
    /// The configuration the run was trained with (its `config_yaml`).
    public let experiment: Experiment
    /// The networks, holding the stored weights.
    public let model: BuiltModel
    /// The model over the networks: `LatentModel` for autoencoders, `AdversarialModel` for
    /// GANs and WGANs. Every network is in evaluation mode.
    public let generative: any GenerativeModel
    /// Steps trained, from the checkpoint.
    public let step: Int

    /// Loads the run file at `path`. A file without a checkpoint, whose configuration does not
    /// parse with this GenLab, or whose weights do not fit it, is an error naming the file.
    public init(path: String) throws(RunError) {
        let contents: (metadata: RunMetadata, state: RunState?)
        do { contents = try RunFile.readCheckpoint(path: path) } catch { throw RunError(error) }
        guard let state = contents.state else {
            throw RunError(.checkpoint, "the run has no checkpoint yet: there are no trained weights to load", path: path)
        }
        do {
            experiment = try Experiment.parse(contents.metadata.configYAML, file: "\(path):config_yaml")
            model = try BuiltModel(experiment, initializing: false)
        } catch {
            throw RunError(.checkpoint, "its configuration does not build with this GenLab: \(error.description)", path: path)
        }
        generative = model.generativeModel()
        _ = try RunCheckpoint.restore(state, into: model, optimizers: [:], path: path)
        for network in model.networks { network.network.isTraining = false }
        self.path = path
        metadata = contents.metadata
        step = Int(state.progress.step)
    }

    /// A run just trained in this process, from its networks in memory (which hold what its
    /// run file's last checkpoint holds): no reading, parsing or building again.
    package init(path: String, metadata: RunMetadata, model: BuiltModel, generative: any GenerativeModel, step: Int) {
        for network in model.networks { network.network.isTraining = false }
        self.path = path
        self.metadata = metadata
        experiment = model.experiment
        self.model = model
        self.generative = generative
        self.step = step
    }

    /// The autoencoder's view (encode, decode), or nil for a GAN or WGAN.
    public var latentModel: LatentModel? { generative as? LatentModel }
}
