import GenLabData
import GenLabSpec

/// The datasets a process has loaded, so that the points of a sweep run one after another in
/// one process load each dataset once.
public final class DatasetCache {
    private var loaded: [(spec: DatasetSpec, dataset: Dataset)] = []

    public init() {}

    /// The dataset `spec` describes, loaded on first use.
    public func dataset(_ spec: DatasetSpec) throws(RunError) -> Dataset {
        if let cached = loaded.first(where: { $0.spec == spec }) { return cached.dataset }
        let dataset: Dataset
        do { dataset = try DatasetLoader.load(spec) } catch { throw RunError(error) }
        loaded.append((spec, dataset))
        return dataset
    }
}
