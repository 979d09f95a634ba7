import GenLabResults

/// A point's place in its sweep as TensorBoard's HParams plugin shows it: the swept keys with
/// their domains (every value the sweep gives them) and the point's own values, written as the
/// plugin's `HParamsPluginData` messages (`tensorboard/plugins/hparams/plugin_data.proto`,
/// `api.proto`): the experiment (keys, domains, metrics), the session's start (its values) and
/// its end (its status).
public struct SweepHParams: Equatable, Sendable {
    /// How the plugin types a key's values (`api.DataType`).
    public enum DataType: Int64, Sendable {
        case string = 1, bool = 2, float64 = 3
    }

    /// A swept key, the values the sweep gives it (YAML text, in sweep order, each once), and
    /// their type: numbers when every value is one, booleans when every value is, else text.
    public struct Key: Equatable, Sendable {
        public let name: String
        public let domain: [String]
        public let type: DataType
    }

    /// A metric of the HParams table: a scalar tag of the point's run and its column title.
    public struct Metric: Equatable, Sendable {
        public let tag: String
        public let title: String

        public init(tag: String, title: String) {
            self.tag = tag
            self.title = title
        }
    }

    /// `api.Status` of a session's end.
    public enum Status: Int64, Sendable {
        case success = 1, failure = 2
    }

    public let keys: [Key]
    /// The point's values, in the order of `keys` ("" for a key the point does not set).
    public let values: [String]

    /// The swept keys of `manifest` and the values of its point `runID`; nil when the sweep
    /// sweeps nothing or has no such point.
    public init?(manifest: SweepManifest, runID: String) {
        guard !manifest.sweptKeys.isEmpty, let point = manifest.points.first(where: { $0.runID == runID }) else { return nil }
        keys = manifest.sweptKeys.map { name in
            var domain: [String] = []
            for p in manifest.points {
                if let value = p.overrides.first(where: { $0.key == name })?.value, !domain.contains(value) { domain.append(value) }
            }
            let type: DataType = domain.allSatisfy { Double($0) != nil } ? .float64
                : domain.allSatisfy { ["true", "false"].contains($0) } ? .bool : .string
            return Key(name: name, domain: domain, type: type)
        }
        values = manifest.sweptKeys.map { name in point.overrides.first { $0.key == name }?.value ?? "" }
    }

    /// A `google.protobuf.Value` of `text` typed as `type` says.
    private static func value(_ text: String, _ type: DataType) -> ProtobufWriter {
        var value = ProtobufWriter()
        switch type {
        case .float64: value.double(2, Double(text) ?? .nan)
        case .bool: value.integer(4, text == "true" ? 1 : 0)
        case .string: value.string(3, text)
        }
        return value
    }

    /// `HParamsPluginData` holding one of its messages in `field`.
    private static func pluginData(_ field: Int, _ message: ProtobufWriter) -> ProtobufWriter {
        var data = ProtobufWriter()
        data.message(field, message)
        return data
    }

    /// The experiment: the keys with their discrete domains, and `metrics`.
    public func experiment(metrics: [Metric], wallTime: Double) -> SummaryValue {
        var experiment = ProtobufWriter()
        experiment.double(3, wallTime)
        for key in keys {
            var info = ProtobufWriter(), domain = ProtobufWriter()
            for text in key.domain { domain.message(1, SweepHParams.value(text, key.type)) }
            info.string(1, key.name)
            info.integer(4, key.type.rawValue)
            info.message(5, domain)
            info.integer(7, key.domain.count > 1 ? 1 : 0)
            experiment.message(4, info)
        }
        for metric in metrics {
            var name = ProtobufWriter(), info = ProtobufWriter()
            name.string(2, metric.tag)
            info.message(1, name)
            info.string(3, metric.title)
            experiment.message(5, info)
        }
        return .hparams(tag: "_hparams_/experiment", content: SweepHParams.pluginData(2, experiment))
    }

    /// The session's start: the point's value of every key it sets.
    public func sessionStart(wallTime: Double) -> SummaryValue {
        var start = ProtobufWriter()
        for (key, text) in zip(keys, values) where !text.isEmpty {
            var entry = ProtobufWriter()
            entry.string(1, key.name)
            entry.message(2, SweepHParams.value(text, key.type))
            start.message(1, entry)
        }
        start.double(5, wallTime)
        return .hparams(tag: "_hparams_/session_start_info", content: SweepHParams.pluginData(3, start))
    }

    /// The session's end.
    public static func sessionEnd(_ status: Status, wallTime: Double) -> SummaryValue {
        var end = ProtobufWriter()
        end.integer(1, status.rawValue)
        end.double(2, wallTime)
        return .hparams(tag: "_hparams_/session_end_info", content: pluginData(4, end))
    }
}
