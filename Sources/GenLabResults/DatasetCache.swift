import GenLabCore
import GenLabData
import GenLabSpec

/// The datasets a process has loaded, so that the points of a sweep run one after another in
/// one process load each dataset once.
public final class DatasetCache {
    private var loaded: [(spec: DatasetSpec, dataset: Dataset)] = []
    /// Where datasets read from files are decoded once and mapped from (nil: into memory).
    public let decoded: DecodedCache?

    public init(decoded: DecodedCache? = DecodedCache.configured) {
        self.decoded = decoded
    }

    /// The dataset `spec` describes, loaded on first use.
    public func dataset(_ spec: DatasetSpec) throws(RunError) -> Dataset {
        if let cached = loaded.first(where: { $0.spec == spec }) { return cached.dataset }
        let dataset: Dataset
        do {
            let (read, outcome) = try DatasetLoader.load(spec, cache: decoded) {
                StandardError.write("genlab: waiting for another process to finish decoding \(spec.name.rawValue) into the dataset cache \(decoded?.folder ?? "")")
            }
            dataset = read
            switch outcome {
            case .built(let stale)?:
                StandardError.write("genlab: decoded \(spec.name.rawValue) once into the dataset cache \(decoded?.folder ?? "")\(stale.map { " (the entry there \($0))" } ?? "")")
            case .inMemory(let reason)?:
                StandardError.write("genlab: warning: the dataset cache cannot be written (\(reason)); training goes on from the images decoded in memory")
            case .read?, nil: break
            }
        } catch { throw RunError(error) }
        loaded.append((spec, dataset))
        return dataset
    }
}
