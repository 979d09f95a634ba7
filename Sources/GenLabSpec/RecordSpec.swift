import GenLabNN
/// What a run writes to its HDF5 file while training.
public struct RecordSpec: Equatable, Sendable {
    /// When something is recorded.
    public enum Every: Equatable, Sendable {
        case steps(Int)
        case epoch
    }

    /// Loss history: one row every N steps.
    public var lossesEvery: Int
    /// Holdout reconstructions or fixed-noise samples; nil for none.
    public var samples: (every: Every, count: Int)?
    /// Latents (μ, log σ, z, labels) of the first `count` test images; nil for none.
    public var latents: (every: Every, count: Int)?
    public var checkpointEvery: Every

    public static func == (a: RecordSpec, b: RecordSpec) -> Bool {
        a.lossesEvery == b.lossesEvery && a.checkpointEvery == b.checkpointEvery
            && a.samples?.every == b.samples?.every && a.samples?.count == b.samples?.count
            && a.latents?.every == b.latents?.every && a.latents?.count == b.latents?.count
    }

    static let keys = ["losses_every", "samples", "latents", "checkpoint"]

    static func parse(_ node: YAMLNode?) throws(SpecError) -> RecordSpec {
        var spec = RecordSpec(lossesEvery: 1, samples: (.epoch, 64), latents: nil, checkpointEvery: .epoch)
        guard let node else { return spec }
        let f = try node.fields("record", allowed: keys)
        if let l = f["losses_every"] { spec.lossesEvery = try l.int("record.losses_every", min: 1) }
        if let s = f["samples"] { spec.samples = try periodic(s, "record.samples", maxCount: 10_000) }
        if let l = f["latents"] { spec.latents = try periodic(l, "record.latents", maxCount: 1_000_000) }
        if let c = f["checkpoint"] {
            let g = try c.fields("record.checkpoint", allowed: ["every"])
            spec.checkpointEvery = try every(try g.required("every"), "record.checkpoint.every")
        }
        return spec
    }

    private static func periodic(_ node: YAMLNode, _ path: String, maxCount: Int) throws(SpecError) -> (every: Every, count: Int)? {
        if node.plainText == "none" { return nil }
        let f = try node.fields(path, allowed: ["every", "count"])
        return (try f["every"].map { n throws(SpecError) in try every(n, f.path("every")) } ?? .epoch,
                try f.required("count").int(f.path("count"), min: 1, max: maxCount))
    }

    private static func every(_ node: YAMLNode, _ path: String) throws(SpecError) -> Every {
        if node.plainText == "epoch" { return .epoch }
        guard node.plainText.flatMap(Int.init) != nil else {
            throw SpecError(.wrongType, "'\(path)' must be 'epoch' or a number of steps, found \(node.kindDescription)", at: node.location)
        }
        return .steps(try node.int(path, min: 1))
    }
}
