/// The values of one stored array.
public enum StoredValues: Equatable, Sendable {
    case float32([Float])
    case int64([Int64])

    public var count: Int {
        switch self {
        case .float32(let v): v.count
        case .int64(let v): v.count
        }
    }
}

/// One named array of a run file: a weight, buffer, optimizer moment, RNG state…
public struct StoredArray: Equatable, Sendable {
    /// Its key below its group, e.g. a `state_dict` key ("encoder.0.weight").
    public var name: String
    public var shape: [Int]
    public var values: StoredValues

    public init(name: String, shape: [Int], values: StoredValues) {
        self.name = name
        self.shape = shape
        self.values = values
    }

    public init(name: String, shape: [Int], floats: [Float]) {
        self.init(name: name, shape: shape, values: .float32(floats))
    }

    /// The values as Float32 (nil for integer arrays).
    public var floats: [Float]? {
        if case .float32(let v) = values { return v }
        return nil
    }
}

/// Where a run is: everything apart from arrays needed to continue it.
public struct RunProgress: Equatable, Sendable {
    /// Optimizer steps taken.
    public var step: Int64
    /// The epoch in progress (from 0).
    public var epoch: Int64
    /// The next batch of that epoch.
    public var batch: Int64

    public init(step: Int64, epoch: Int64, batch: Int64) {
        self.step = step
        self.epoch = epoch
        self.batch = batch
    }
}

/// Everything needed to continue a run exactly: per network its weights, buffers and
/// optimizer state, the random generators, and the progress.
public struct RunState: Equatable, Sendable {
    /// network → parameters (`/weights/<network>/<key>`).
    public var weights: [String: [StoredArray]]
    /// network → buffers (`/buffers/<network>/<key>`), running statistics and counters.
    public var buffers: [String: [StoredArray]]
    /// network → optimizer arrays (`/optimizer/<network>/<key>`), with "step" among them.
    public var optimizers: [String: [StoredArray]]
    /// generator name → state words (`/rng/<name>`).
    public var rng: [String: [Int64]]
    /// Values an objective carries from step to step (`/trainer/<name>`), such as the WGAN's
    /// last generator loss.
    public var trainer: [String: [Float]]
    public var progress: RunProgress

    public init(weights: [String: [StoredArray]], buffers: [String: [StoredArray]], optimizers: [String: [StoredArray]],
                rng: [String: [Int64]], trainer: [String: [Float]] = [:], progress: RunProgress) {
        self.weights = weights
        self.buffers = buffers
        self.optimizers = optimizers
        self.rng = rng
        self.trainer = trainer
        self.progress = progress
    }
}

/// Rows of the loss history: the step and epoch of each row and one value per named loss.
public struct HistoryRows: Equatable, Sendable {
    public var steps: [Int64]
    public var epochs: [Int64]
    /// loss name → one value per row.
    public var columns: [String: [Float]]

    public init(steps: [Int64] = [], epochs: [Int64] = [], columns: [String: [Float]] = [:]) {
        self.steps = steps
        self.epochs = epochs
        self.columns = columns
    }

    public var count: Int { steps.count }

    /// Each column's last finite value (validation columns hold NaN in rows where no
    /// validation ran); columns without one left out.
    public var lastFiniteValues: [String: Float] {
        columns.compactMapValues { $0.last(where: \.isFinite) }
    }

    /// Adds one row.
    public mutating func append(step: Int64, epoch: Int64, losses: [String: Float]) {
        steps.append(step)
        epochs.append(epoch)
        for (name, value) in losses { columns[name, default: []].append(value) }
    }
}

/// μ, log σ, z and labels of a fixed set of test images after a step.
public struct LatentRecord: Equatable, Sendable {
    /// The step after which they were computed (nil in files of format 1, which recorded
    /// latents at epoch ends only, keyed by epoch).
    public var step: Int?
    /// The epoch that step belongs to (0-based).
    public var epoch: Int
    /// (count, latent) each.
    public var mu: StoredArray
    public var logSigma: StoredArray
    public var z: StoredArray
    public var labels: [Int64]

    public init(step: Int?, epoch: Int, mu: StoredArray, logSigma: StoredArray, z: StoredArray, labels: [Int64]) {
        self.step = step
        self.epoch = epoch
        self.mu = mu
        self.logSigma = logSigma
        self.z = z
        self.labels = labels
    }
}

/// Holdout reconstructions or fixed-noise samples at a step: (count, C, H, W).
public struct SampleRecord: Equatable, Sendable {
    public var step: Int
    public var images: StoredArray

    public init(step: Int, images: StoredArray) {
        self.step = step
        self.images = images
    }
}

/// The state of a run as a whole.
public enum RunStatus: String, Sendable, CaseIterable {
    case running, completed, failed, interrupted
    /// Stopped for good by its sweep's successive halving (`stopped` says at which step).
    case pruned
}

/// The root attributes of a run file.
public struct RunMetadata: Equatable, Sendable {
    public var experiment: String
    public var runID: String
    public var status: RunStatus
    /// The resolved configuration, YAML.
    public var configYAML: String
    /// The sweep point's overrides, "key=value" per line (empty without a sweep).
    public var sweepPoint: String
    public var genlabVersion: String
    /// ISO 8601.
    public var startedAt: String
    public var finishedAt: String?
    /// Why the run failed.
    public var failure: String?
    /// The steps the run trains for (absent in files written before GenLab 0.12).
    public var totalSteps: Int64?
    /// The experiment's `analysis` section (YAML), run after training and by `genlab analyze`.
    public var analysisYAML: String?
    /// The networks described completely (`ModelDescription`, JSON); absent in files written
    /// before format 3.
    public var modelJSON: String?
    /// The resolved configuration as JSON (format 3).
    public var configJSON: String?
    /// The sweep point's overrides as a JSON object, in the sweep's order (format 3).
    public var sweepPointJSON: String?
    /// Which images the history's `validation.<term>` columns are computed on (nil without
    /// validation).
    public var validationImages: String?
    /// How training stopped before its length: "pruned at step S …" (status `pruned`) or
    /// "stopped early at step S, best at step B" (status `completed`); nil otherwise.
    public var stopped: String?
    /// What the matrix products multiplied in the last training session ("fp32" or "bf16";
    /// nil in files written before `train.precision`).
    public var precision: String?

    public init(experiment: String, runID: String, status: RunStatus, configYAML: String, sweepPoint: String,
                genlabVersion: String, startedAt: String, finishedAt: String? = nil, failure: String? = nil,
                totalSteps: Int64? = nil, analysisYAML: String? = nil, modelJSON: String? = nil, configJSON: String? = nil,
                sweepPointJSON: String? = nil) {
        self.experiment = experiment
        self.runID = runID
        self.status = status
        self.configYAML = configYAML
        self.sweepPoint = sweepPoint
        self.genlabVersion = genlabVersion
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.failure = failure
        self.totalSteps = totalSteps
        self.analysisYAML = analysisYAML
        self.modelJSON = modelJSON
        self.configJSON = configJSON
        self.sweepPointJSON = sweepPointJSON
    }
}
