/// Reading a run file back.
extension RunFile {
    /// Reads every part of the run file at `path`.
    public static func read(path: String) throws(HDF5Error) -> RunContents {
        let file = try open(path)
        defer { try? file.close() }
        return RunContents(
            formatVersion: try file.intAttribute("format_version") ?? 0,
            metadata: try readMetadata(file),
            state: file.exists("/progress") ? try readState(file) : nil,
            history: try readHistory(file),
            latents: try readLatents(file),
            samples: try readSamples(file),
            hasHistory: file.exists("/history"))
    }

    /// Reads what says how far a run is (metadata, progress, history) and not its weights,
    /// latents or samples.
    public static func readSummary(path: String) throws(HDF5Error) -> RunSummary {
        let file = try open(path)
        defer { try? file.close() }
        return RunSummary(metadata: try readMetadata(file), progress: file.exists("/progress") ? try readProgress(file) : nil,
                          history: try readHistory(file))
    }

    /// Early stopping's best weights and buffers so far (`/best`, their step as the progress's
    /// step; no optimizer, random or trainer state), nil when the file has none.
    public static func readBest(path: String) throws(HDF5Error) -> RunState? {
        let file = try open(path)
        defer { try? file.close() }
        guard file.exists("/best") else { return nil }
        guard let step = try file.intAttribute("step", on: "/best") else {
            throw HDF5Error(.damaged, "/best has no 'step' attribute (damaged?)", path: path)
        }
        return RunState(weights: try readNetworks(file, "/best/weights"), buffers: try readNetworks(file, "/best/buffers"),
                        optimizers: [:], rng: [:], progress: RunProgress(step: step, epoch: 0, batch: 0))
    }

    /// Reads the metadata and the last checkpoint (nil before the first), and not the
    /// history, latents or samples: what loading the trained model needs.
    public static func readCheckpoint(path: String) throws(HDF5Error) -> (metadata: RunMetadata, state: RunState?) {
        let file = try open(path)
        defer { try? file.close() }
        return (try readMetadata(file), file.exists("/progress") ? try readState(file) : nil)
    }

    /// The samples recorded at the steps `choose` picks from every recorded step (in order),
    /// read alone: no weights, latents or other steps.
    public static func readSamples(path: String, choosing choose: ([Int]) -> [Int]) throws(HDF5Error) -> [SampleRecord] {
        let file = try open(path)
        defer { try? file.close() }
        return try choose(try numbered(file, "/samples", "step_")).map { step throws(HDF5Error) in
            SampleRecord(step: step, images: try readArray(file, "/samples/step_\(step)", name: "step_\(step)"))
        }
    }

    /// `/sample_inputs/<name>` ("images", "labels", "noise"), what the recorded samples are
    /// made from; nil when the file has none of that name.
    public static func readSampleInput(path: String, name: String) throws(HDF5Error) -> StoredArray? {
        let file = try open(path)
        defer { try? file.close() }
        let arrayPath = "/sample_inputs/\(name)"
        return file.exists(arrayPath) ? try readArray(file, arrayPath, name: name) : nil
    }

    static func readMetadata(_ file: HDF5File) throws(HDF5Error) -> RunMetadata {
        let path = file.path
        func attribute(_ name: String) throws(HDF5Error) -> String {
            guard let value = try file.stringAttribute(name) else {
                throw HDF5Error(.damaged, "the run file has no '\(name)' attribute (damaged?)", path: path)
            }
            return value
        }
        let statusText = try attribute("status")
        guard let status = RunStatus(rawValue: statusText) else {
            throw HDF5Error(.damaged, "unknown run status '\(statusText)'", path: path)
        }
        var metadata = RunMetadata(
            experiment: try attribute("experiment"), runID: try attribute("run_id"), status: status,
            configYAML: try attribute("config_yaml"), sweepPoint: try attribute("sweep_point"),
            genlabVersion: try attribute("genlab_version"), startedAt: try attribute("started_at"),
            finishedAt: try file.stringAttribute("finished_at"), failure: try file.stringAttribute("failure"),
            totalSteps: try file.intAttribute("total_steps"), analysisYAML: try file.stringAttribute("analysis_yaml"),
            modelJSON: try file.stringAttribute("model_json"), configJSON: try file.stringAttribute("config_json"),
            sweepPointJSON: try file.stringAttribute("sweep_point_json"))
        metadata.validationImages = try file.stringAttribute("validation_images")
        metadata.stopped = try file.stringAttribute("stopped")
        metadata.precision = try file.stringAttribute("precision")
        if try file.intAttribute("format_version") ?? 0 >= 3 {
            for name in describedAttributes where try file.stringAttribute(name) == nil {
                throw HDF5Error(.damaged, "a run file of format 3 without its '\(name)' attribute (damaged?)", path: path)
            }
        }
        return metadata
    }

    static func readArray(_ file: HDF5File, _ arrayPath: String, name: String) throws(HDF5Error) -> StoredArray {
        if try file.storesIntegers(arrayPath) {
            let (shape, values) = try file.read(Int64.self, at: arrayPath)
            return StoredArray(name: name, shape: shape, values: .int64(values))
        }
        let (shape, values) = try file.read(Float.self, at: arrayPath)
        return StoredArray(name: name, shape: shape, values: .float32(values))
    }

    /// Every dataset below `group`, keyed by network, with names relative to the network.
    static func readNetworks(_ file: HDF5File, _ group: String) throws(HDF5Error) -> [String: [StoredArray]] {
        guard file.exists(group) else { return [:] }
        var result: [String: [StoredArray]] = [:]
        for network in try file.children(group) {
            var arrays: [StoredArray] = []
            func walk(_ relative: String) throws(HDF5Error) {
                let full = "\(group)/\(network)\(relative.isEmpty ? "" : "/" + relative)"
                if file.isGroup(full) {
                    for child in try file.children(full) { try walk(relative.isEmpty ? child : "\(relative)/\(child)") }
                } else {
                    arrays.append(try readArray(file, full, name: relative))
                }
            }
            try walk("")
            result[network] = arrays
        }
        return result
    }

    static func readState(_ file: HDF5File) throws(HDF5Error) -> RunState {
        var rng: [String: [Int64]] = [:]
        if file.exists("/rng") {
            for name in try file.children("/rng") { rng[name] = try file.read(Int64.self, at: "/rng/\(name)").values }
        }
        var trainer: [String: [Float]] = [:]
        if file.exists("/trainer") {
            for name in try file.children("/trainer") { trainer[name] = try file.read(Float.self, at: "/trainer/\(name)").values }
        }
        return RunState(
            weights: try readNetworks(file, "/weights"), buffers: try readNetworks(file, "/buffers"),
            optimizers: try readNetworks(file, "/optimizer"), rng: rng, trainer: trainer,
            progress: try readProgress(file))
    }

    /// The step, epoch and batch attributes of `/progress`.
    static func readProgress(_ file: HDF5File) throws(HDF5Error) -> RunProgress {
        func value(_ name: String) throws(HDF5Error) -> Int64 {
            guard let value = try file.intAttribute(name, on: "/progress") else {
                throw HDF5Error(.damaged, "/progress has no '\(name)' attribute (damaged?)", path: file.path)
            }
            return value
        }
        return RunProgress(step: try value("step"), epoch: try value("epoch"), batch: try value("batch"))
    }

    static func readHistory(_ file: HDF5File) throws(HDF5Error) -> HistoryRows {
        guard file.exists("/history") else { return HistoryRows() }
        var rows = HistoryRows(steps: try file.read(Int64.self, at: "/history/step").values,
                               epochs: try file.read(Int64.self, at: "/history/epoch").values)
        for name in try file.children("/history") where name != "step" && name != "epoch" {
            let values = try file.read(Float.self, at: "/history/\(name)").values
            guard values.count == rows.count else {
                throw HDF5Error(.damaged, "history column '\(name)' has \(values.count) values for \(rows.count) steps (damaged?)", path: file.path)
            }
            rows.columns[name] = values
        }
        return rows
    }

    /// The number after `prefix` in each child name, sorted.
    static func numbered(_ file: HDF5File, _ group: String, _ prefix: String) throws(HDF5Error) -> [Int] {
        guard file.exists(group) else { return [] }
        return try file.children(group).compactMap { $0.hasPrefix(prefix) ? Int($0.dropFirst(prefix.count)) : nil }.sorted()
    }

    static func readLatents(_ file: HDF5File) throws(HDF5Error) -> [LatentRecord] {
        var records: [LatentRecord] = []
        func record(_ group: String, step: Int?, epoch: Int) throws(HDF5Error) -> LatentRecord {
            LatentRecord(
                step: step, epoch: epoch, mu: try readArray(file, "\(group)/mu", name: "mu"),
                logSigma: try readArray(file, "\(group)/logsigma", name: "logsigma"),
                z: try readArray(file, "\(group)/z", name: "z"),
                labels: try file.read(Int64.self, at: "\(group)/labels").values)
        }
        for epoch in try numbered(file, "/latents", "epoch_") {
            records.append(try record("/latents/epoch_\(epoch)", step: nil, epoch: epoch))
        }
        for step in try numbered(file, "/latents", "step_") {
            let group = "/latents/step_\(step)"
            guard let epoch = try file.intAttribute("epoch", on: group) else {
                throw HDF5Error(.damaged, "\(group) has no 'epoch' attribute (damaged?)", path: file.path)
            }
            records.append(try record(group, step: step, epoch: Int(epoch)))
        }
        return records
    }

    static func readSamples(_ file: HDF5File) throws(HDF5Error) -> [SampleRecord] {
        var records: [SampleRecord] = []
        for step in try numbered(file, "/samples", "step_") {
            records.append(SampleRecord(step: step, images: try readArray(file, "/samples/step_\(step)", name: "step_\(step)")))
        }
        return records
    }
}
