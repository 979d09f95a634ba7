import Foundation
import GenLabData
import GenLabModels
import GenLabNN
import GenLabResults
import GenLabSpec
import GenLabStore

/// The training loop of one point: batches, steps, recording, checkpoints, and the end of
/// the run (completed, interrupted or failed).
///
/// Random streams, all from the experiment's seed: the batch order of epoch e (stream e+1,
/// see `BatchLoader`); the training noise ε, fake-batch noise and corruption (stream 11,
/// saved in checkpoints as "noise"); the fixed noise of recorded samples (stream 12); the z
/// of recorded latents (stream 13, drawn afresh each epoch); dropout masks (stream 2⁴⁰,
/// saved as "dropout"). So a resumed run continues
/// with exactly the numbers an uninterrupted one would have used.
final class TrainingSession {
    let runner: PointRunner
    let model: BuiltModel
    let trainer: Trainer
    let loader: BatchLoader
    package let experiment: Experiment
    let total: Int
    let startedAt: String
    var noise: RandomGenerator
    var step = 0, epoch = 0, batch = 0
    var pendingHistory = HistoryRows()
    var pendingLatents: [LatentRecord] = []
    var pendingSamples: [SampleRecord] = []
    var lastCommit = Date()
    /// The run file's metadata as last committed.
    private(set) var committedMetadata: RunMetadata?
    /// The sweep's successive halving (nil without one, or for a pruned point continued with
    /// `--retry-pruned`).
    let pruner: Pruner?
    /// The steps this point trains to: its length, or a pruned sweep's budget.
    let budget: Int
    /// The pruned metric's value at the last rung reached (from the history row there).
    private var rungValue: (step: Int, value: Double)?
    /// The run file's `stopped`: why training stopped before its length.
    private var stopped: String?
    /// `train.early_stopping`'s best value so far and the values since.
    private var earlyStopping: EarlyStoppingState?
    /// The best weights and buffers not yet committed (`restore_best`).
    private var pendingBest: RunState?

    init(runner: PointRunner, model: BuiltModel, previous: RunContents?) throws(RunError) {
        self.runner = runner
        self.model = model
        experiment = runner.experiment
        let train = experiment.train
        let images = runner.dataset.train
        loader = BatchLoader(images: images, batchSize: train.batchSize, dropLast: train.dropLast, shuffle: true,
                             blocks: experiment.dataset.shuffle == .block ? BlockShuffle(imageSize: images.imageSize) : nil,
                             seed: experiment.seed, normalization: experiment.dataset.normalization)
        trainer = model.trainer(batchesPerEpoch: loader.batchesPerEpoch)
        // an image folder's classes are known once it is read: a conditional model's one-hot
        // label must have room for each
        let classes = experiment.model.autoencoder?.classes ?? experiment.model.adversarial?.classes ?? 0
        if classes > 0, runner.dataset.classNames.count > classes {
            throw RunError(.experiment(.invalidValue), "'model.classes' is \(classes) but the dataset has \(runner.dataset.classNames.count) classes (\(runner.dataset.classNames.prefix(3).joined(separator: ", "))…): its labels do not fit the one-hot label",
                           path: experiment.file, place: "model.classes")
        }
        guard loader.batchesPerEpoch > 0 else {
            throw RunError(.datasetTooSmall, "the training set has \(runner.dataset.train.count) images, fewer than one batch of \(train.batchSize) with drop_last",
                           path: experiment.file)
        }
        total = train.totalSteps(batchesPerEpoch: loader.batchesPerEpoch)
        if let sweep = runner.options.pruning, !(runner.options.retryPruned && previous?.metadata.status == .pruned) {
            do { pruner = try Pruner(sweep, total: total) } catch { throw RunError(error) }
        } else {
            pruner = nil
        }
        budget = runner.options.pruning?.spec.budget(total: total) ?? total
        noise = RandomGenerator(seed: experiment.seed, stream: .trainingNoise)
        if let previous {
            guard let state = previous.state else { throw RunError(.checkpoint, "the run file has no checkpoint to resume from", path: runner.path) }
            let generators: [String: RandomGenerator]
            generators = try RunCheckpoint.restore(state, into: model, optimizers: trainer.optimizers, path: runner.path)
            guard let saved = generators["noise"] else {
                throw RunError(.checkpoint, "the run file has no /rng/noise (the training noise state): it cannot be resumed exactly (damaged?)", path: runner.path)
            }
            noise = saved
            if let dropout = model.dropoutNoise {
                guard let saved = generators["dropout"] else {
                    throw RunError(.checkpoint, "the run file has no /rng/dropout (the dropout masks' state): it cannot be resumed exactly (damaged?)", path: runner.path)
                }
                dropout.generator = saved
            }
            let progress = state.progress, perEpoch = Int64(loader.batchesPerEpoch)
            guard (0...Int64(total)).contains(progress.step), (0..<perEpoch).contains(progress.batch),
                  progress.epoch >= 0, progress.epoch <= Int64(total) / perEpoch + 1,
                  progress.epoch * perEpoch + progress.batch == progress.step else {
                throw RunError(.checkpoint, "the run file's /progress (step \(progress.step), epoch \(progress.epoch), batch \(progress.batch)) does not fit this run (\(total) steps of \(perEpoch) batches per epoch) (damaged?)", path: runner.path)
            }
            guard previous.hasHistory else {
                throw RunError(.checkpoint, "the run file has no /history (damaged?)", path: runner.path)
            }
            let recorded = [("history", previous.history.steps.last.map(Int.init)), ("samples", previous.samples.last?.step),
                            ("latents", previous.latents.compactMap(\.step).max())]
            for (what, last) in recorded {
                if let last, last > progress.step {
                    throw RunError(.checkpoint, "the run file's \(what) reach step \(last), beyond its checkpoint at step \(progress.step) (damaged?)", path: runner.path)
                }
            }
            (step, epoch, batch) = (Int(progress.step), Int(progress.epoch), Int(progress.batch))
            if let spec = train.earlyStopping {
                var replayed = EarlyStoppingState(spec)
                replayed.replay(previous.history)
                if spec.restoreBest {
                    do { replayed.bestState = try RunFile.readBest(path: runner.path) } catch { throw RunError(error) }
                }
                earlyStopping = replayed
            }
            if let pruner, pruner.rungs.contains(step), let row = previous.history.steps.firstIndex(of: Int64(step)),
               let value = previous.history.columns[pruner.spec.metric]?[row] {
                rungValue = (step, Double(value))
            }
            trainer.resume(afterSteps: step, carried: state.trainer)
            startedAt = previous.metadata.startedAt
        } else {
            earlyStopping = train.earlyStopping.map(EarlyStoppingState.init)
            startedAt = ISO8601DateFormatter().string(from: Date())
            try commit(.running, withState: true)
        }
        runner.observer?.begin(step: step, previous: previous, originals: samplesReconstruct ? originals : nil) { [progress = runner.progress] in
            progress.note($0)
        }
    }

    /// The random generators a checkpoint keeps: the training noise, and the dropout masks'.
    private var randomState: [String: RandomGenerator] {
        var state = ["noise": noise]
        state["dropout"] = model.dropoutNoise?.generator
        return state
    }

    var epochs: Int { (total + loader.batchesPerEpoch - 1) / loader.batchesPerEpoch }

    /// Writes the run file: metadata, the state (or the last checkpoint's), pending records.
    func commit(_ status: RunStatus, withState: Bool, failure: String? = nil) throws(RunError) {
        let state = withState ? RunCheckpoint.capture(
            model, optimizers: trainer.optimizers, rng: randomState, trainer: trainer.carriedValues,
            progress: RunProgress(step: Int64(step), epoch: Int64(epoch), batch: Int64(batch))) : nil
        var metadata = runner.metadata(status, model: model, startedAt: startedAt, totalSteps: total, failure: failure)
        metadata.validationImages = validation?.source
        metadata.stopped = stopped
        do {
            try RunFile.commit(path: runner.path, metadata: metadata,
                               state: state,
                               newHistory: withState ? pendingHistory : HistoryRows(),
                               newLatents: withState ? pendingLatents : [],
                               newSamples: withState ? pendingSamples : [],
                               sampleInputs: withState ? sampleInputs : nil, best: withState ? pendingBest : nil)
        } catch {
            throw RunError(error)
        }
        if withState, pendingHistory.count > 0 || !pendingSamples.isEmpty {
            runner.observer?.committed(history: pendingHistory, samples: pendingSamples)
        }
        if withState {
            pendingBest = nil
            pendingHistory = HistoryRows()
            pendingLatents = []
            pendingSamples = []
        }
        lastCommit = Date()
        committedMetadata = metadata
    }

    /// The completed run as its run file now holds it, from the networks in memory.
    var trained: TrainedRun {
        TrainedRun(path: runner.path, metadata: committedMetadata!, model: model, generative: trainer.generative, step: step)
    }

    func run() throws(RunError) -> RunOutcome {
        runner.progress.begin(runID: runner.point.runID, step: step, total: total)
        do {
            // a point stopped at a rung (waiting, or killed after reaching it) asks again
            if let outcome = try rungVerdict() { return outcome }
            while step < budget {
                // a point already past --stop-after (continued from a later checkpoint) stops at once
                if RunInterruption.isRequested || step >= runner.options.stopAfter ?? Int.max {
                    try commit(.interrupted, withState: true)
                    runner.progress.note("interrupted at step \(step): checkpoint written to \(runner.path)")
                    return .interrupted
                }
                try trainOneStep()
                if let outcome = try rungVerdict() { return outcome }
                if let early = earlyStopping, early.shouldStop { break }
            }
            let stoppedEarly = earlyStopping?.shouldStop == true
            if budget < total, !stoppedEarly {
                stopped = "at the pruned sweep's budget, sweep.prune.max_steps = \(budget) of \(total) steps"
                try commit(.interrupted, withState: true)
                runner.progress.note("stopped \(stopped!): a larger max_steps continues it")
                return .interrupted
            }
            if let early = earlyStopping, let best = early.best {
                if stoppedEarly { stopped = "stopped early at step \(step), best at step \(best.step)" }
                if early.spec.restoreBest, let state = early.bestState {
                    _ = try RunCheckpoint.restore(state, into: model, optimizers: [:], path: runner.path)
                    stopped = (stopped.map { "\($0); " } ?? "") + "the weights are the best step's, \(best.step) (restore_best)"
                }
            }
            try commit(.completed, withState: true)
            runner.progress.note("completed: \(runner.path)")
            return .completed
        } catch {
            let failure = error.description
            do {
                try commit(.failed, withState: false, failure: failure)
            } catch let second {
                throw RunError(.training, "\(error.message); then the run file could not be marked failed: \(second.message)", path: error.path)
            }
            throw error
        }
    }

    /// `record.validation.fd` and the like, scored from outside training on the weights now
    /// (the networks put back in training mode after).
    private func validationScores(count: Int) throws(RunError) -> [String: Float] {
        guard let scoring = runner.options.validationScoring, let metadata = committedMetadata else {
            throw RunError(.training, "'record.validation.fd' needs the evaluation classifier, which this command does not load ('genlab run' does)", path: runner.path)
        }
        let modes = model.networks.map(\.network.isTraining)
        defer { for (built, mode) in zip(model.networks, modes) { built.network.isTraining = mode } }
        return try scoring.scores(TrainedRun(path: runner.path, metadata: metadata, model: model, generative: trainer.generative, step: step), count: count)
    }

    /// At a rung of a pruned sweep, reports the metric and stops the point when it is pruned
    /// or must wait for the others (nil: it goes on, or this step is no rung).
    private func rungVerdict() throws(RunError) -> RunOutcome? {
        guard let pruner, pruner.rungs.contains(step), let value = rungValue, value.step == step else { return nil }
        switch try pruner.report(runner.point.runID, step: step, value: value.value) {
        case .goOn:
            return nil
        case .pruned(let why):
            stopped = why
            try commit(.pruned, withState: true)
            runner.progress.note(why)
            return .pruned(why)
        case .waiting(let why):
            stopped = why
            try commit(.interrupted, withState: true)
            runner.progress.note(why)
            stopped = nil
            return .waiting(why)
        }
    }

    private func trainOneStep() throws(RunError) {
        loader.load(epoch: epoch, index: batch)
        let losses: [String: Float]
        do {
            losses = try trainer.step(loader.batch, labels: loader.labels, generator: &noise)
        } catch {
            throw RunError(.training, "step \(step + 1): \(error.message)", path: runner.path)
        }
        if let bad = trainer.lossNames.first(where: { !(losses[$0]?.isFinite ?? false) }) {
            throw RunError(.training, "loss '\(bad)' is \(losses[bad].map { "\($0)" } ?? "missing") at step \(step + 1) (epoch \(epoch + 1)); the run stops, its last checkpoint is kept",
                           path: runner.path)
        }
        step += 1
        batch += 1
        let record = experiment.record
        let epochEnded = batch == loader.batchesPerEpoch
        // recorded when due, and always for the final weights
        func due(_ every: RecordSpec.Every?) -> Bool {
            guard let every else { return false }
            return step == total || every.isDue(step: step, batchInEpoch: batch, epochEnded: epochEnded, imagesSeen: imagesSeen)
        }
        // a rung, and a budget short of the run's length (a rung once the budget widens), are
        // always validated
        let atRung = pruner?.rungs.contains(step) == true || (step == budget && budget < total)
        try recordHistory(losses, validating: due(record.validation?.every) || atRung)
        if due(record.samples?.every) { try recordSamples() }
        if due(record.latents?.every) { try recordLatents() }
        runner.progress.update(step: step, total: total, epoch: epoch, epochs: epochs, batchSize: loader.batch.shape[0],
                               losses: losses, epochEnded: epochEnded)
        if epochEnded {
            epoch += 1
            batch = 0
        }
        let checkpointDue = record.checkpointEvery.isDue(step: step, batchInEpoch: batch, epochEnded: epochEnded, imagesSeen: imagesSeen)
        if step < total, checkpointDue || Date().timeIntervalSince(lastCommit) > runner.options.flushSeconds {
            try commit(.running, withState: true)
        }
    }

    // MARK: recording

    /// The validation losses' images and averaging; nil without `record.validation`.
    private lazy var validation: ValidationLoss? = experiment.record.validation.map {
        ValidationLoss($0, dataset: runner.dataset, experiment: experiment)
    }

    /// A history row when the losses are due (`losses_every`) or a validation is: the step's
    /// training losses and, with `record.validation`, the validation losses (NaN in rows
    /// where no validation ran).
    private func recordHistory(_ losses: [String: Float], validating: Bool) throws(RunError) {
        guard step % experiment.record.lossesEvery == 0 || validating else { return }
        var row = losses
        if let validation {
            for name in trainer.historyColumns where !trainer.lossNames.contains(name) { row[name] = .nan }
            if validating {
                do {
                    row.merge(try validation.losses(trainer)) { $1 }
                } catch {
                    throw RunError(.training, "validation at step \(step): \(error.message)", path: runner.path)
                }
                if experiment.record.validation?.fd == true { row.merge(try validationScores(count: validation.count)) { $1 } }
            }
        }
        pendingHistory.append(step: Int64(step), epoch: Int64(epoch), losses: row)
        if let metric = pruner?.spec.metric, let value = row[metric] { rungValue = (step, Double(value)) }
        if var early = earlyStopping {
            // a validation column counts only in the rows where a validation ran
            let metric = early.spec.metric
            if let value = row[metric], validating || !metric.hasPrefix("validation."), early.observe(Double(value), step: step), early.spec.restoreBest {
                let state = RunCheckpoint.capture(model, optimizers: [:], rng: [:], progress: RunProgress(step: Int64(step), epoch: 0, batch: 0))
                early.bestState = state
                pendingBest = state
            }
            earlyStopping = early
        }
    }

    /// Images trained on so far, the current epoch's batches included (`batch` of them done).
    private var imagesSeen: Int {
        let perEpoch = experiment.train.dropLast ? loader.batchesPerEpoch * experiment.train.batchSize : runner.dataset.train.count
        return epoch * perEpoch + min(batch * experiment.train.batchSize, perEpoch)
    }

    private lazy var transform = PixelTransform(experiment.dataset.normalization, channels: experiment.dataset.imageShape[0])

    /// The holdout images, normalised, and their labels.
    private lazy var holdout: (images: Tensor, labels: [Int32]) = {
        var images = DatasetLoader.holdout(runner.dataset, experiment.dataset.holdout)
        if let count = experiment.record.samples?.count { images = images.prefix(count) }
        return BatchLoader.whole(images, normalization: experiment.dataset.normalization)
    }()

    /// The fixed noise of recorded samples (GANs, CVAE).
    private lazy var fixedNoise: Tensor = {
        let shape = trainer.generative.sampleNoiseShape ?? []
        let t = Tensor(zeros: [experiment.record.samples?.count ?? 0] + shape)
        var g = RandomGenerator(seed: experiment.seed, stream: .sampleNoise)
        g.fillNormal(t.buffer)
        return t
    }()

    /// Whether the recorded samples are reconstructions of the holdout images (an autoencoder
    /// that is not conditional), not images generated from fixed noise.
    private var samplesReconstruct: Bool {
        experiment.record.samples != nil && trainer.generative.classes == 0 && experiment.model.kind.isAutoencoder
    }

    /// The holdout images the recorded reconstructions reconstruct, on the pixel scale.
    private var originals: StoredArray {
        StoredArray(name: "images", shape: holdout.images.shape, floats: transform.pixelScale(holdout.images))
    }

    /// What the recorded samples are made from (`/sample_inputs`, with every commit of the
    /// state): the holdout images (normalised) and labels that reconstructions encode, the
    /// fixed noise of generated samples or sampled reconstructions, a CVAE's or a conditional
    /// GAN's labels; nil when
    /// no samples are recorded.
    private lazy var sampleInputs: [StoredArray]? = {
        guard experiment.record.samples != nil else { return nil }
        var arrays: [StoredArray] = []
        if trainer.generative.sampleNoiseShape != nil {
            arrays.append(StoredArray(name: "noise", shape: fixedNoise.shape, floats: fixedNoise.values))
        }
        if trainer.generative.classes > 0 {
            let labels = trainer.generative.sampleLabels(count: fixedNoise.shape[0]).map(Int64.init)
            arrays.append(StoredArray(name: "labels", shape: [labels.count], values: .int64(labels)))
        } else if samplesReconstruct {
            arrays.append(StoredArray(name: "images", shape: holdout.images.shape, floats: holdout.images.values))
            arrays.append(StoredArray(name: "labels", shape: [holdout.labels.count], values: .int64(holdout.labels.map(Int64.init))))
        }
        return arrays
    }()

    private func recordSamples() throws(RunError) {
        let images: Tensor
        do {
            images = try trainer.generative.samples(holdout: holdout.images, noise: fixedNoise)
        } catch {
            throw RunError(.training, "recording samples at step \(step): \(error.message)", path: runner.path)
        }
        pendingSamples.append(SampleRecord(step: step, images: StoredArray(name: "step_\(step)", shape: images.shape, floats: transform.pixelScale(images))))
    }

    /// μ, log σ and z (μ + σ·ε, ε from stream 13 drawn afresh each time) of the first
    /// `count` test images, encoded in evaluation mode.
    private func recordLatents() throws(RunError) {
        guard let count = experiment.record.latents?.count, let autoencoder = trainer.generative as? LatentModel else { return }
        let source = runner.dataset.test.count > 0 ? runner.dataset.test : runner.dataset.train
        let images = source.prefix(count)
        let l = BatchLoader(images: images, batchSize: experiment.train.batchSize, dropLast: false, shuffle: false, seed: 0,
                            normalization: experiment.dataset.normalization)
        var mu: [Float] = [], logSigma: [Float] = [], z: [Float] = []
        var g = RandomGenerator(seed: experiment.seed, stream: .latentNoise)
        let eps = Tensor(zeros: [0]), sampled = Tensor(zeros: [0])
        for index in 0..<l.batchesPerEpoch {
            l.load(epoch: 0, index: index)
            do {
                let lowest = try autoencoder.encode(l.batch, labels: l.labels)[0]
                mu += lowest.mu.values
                logSigma += lowest.logSigma.values
                guard experiment.model.kind.isVariational else {
                    z += lowest.mu.values
                    continue
                }
                eps.resize(to: [1] + lowest.mu.shape)
                g.fillNormal(eps.buffer)
                try Reparameterization().forward(mu: lowest.mu, scale: lowest.logSigma, eps: eps, into: sampled)
                z += sampled.values
            } catch {
                throw RunError(.training, "recording latents at epoch \(epoch + 1): \(error.message)", path: runner.path)
            }
        }
        let k = images.count > 0 ? mu.count / images.count : 0
        pendingLatents.append(LatentRecord(
            step: step, epoch: epoch, mu: StoredArray(name: "mu", shape: [images.count, k], floats: mu),
            logSigma: StoredArray(name: "logsigma", shape: [images.count, k], floats: logSigma),
            z: StoredArray(name: "z", shape: [images.count, k], floats: z), labels: images.labels.map(Int64.init)))
    }
}
