import GenLabNN
import Foundation

/// One value a sweep or `--set` sets: a dotted key of the experiment ("model.beta", "seed",
/// "train.optimizer.adam.lr", "model.encoder.5.linear.out") and the YAML value, written as
/// a mapping entry is.
public typealias Override = YAMLPair

extension Override {
    /// The dotted key's components ("model.encoder.5.linear.out" → five names).
    var path: [String] { key.split(separator: ".", omittingEmptySubsequences: false).map(String.init) }

    /// Rejects a key with an empty component ("model..beta", ".beta", "beta.").
    static func checkKey(_ key: String, at location: SourceLocation, origin: String) throws(SpecError) {
        guard key.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ !$0.isEmpty }) else {
            throw SpecError(.sweep, "\(origin) key '\(key)' has an empty part: write dotted names such as model.beta", at: location)
        }
    }

    /// Whether it changes the sweep (`sweep`, `sweep.grid.seed`, …) rather than the
    /// configuration.
    public var isSweepKey: Bool { key == "sweep" || key.hasPrefix("sweep.") }

    /// Whether it changes the `analysis` section (`analysis.samples.count=16`).
    public var isAnalysisKey: Bool { key == "analysis" || key.hasPrefix("analysis.") }

    /// Where a `sweep.…` key lands in the sweep's mapping: the dotted key of a `grid`, `zip`
    /// or `random.keys` entry stays whole ("sweep.grid.model.beta" → grid, model.beta).
    var sweepPath: [String] {
        let parts = Array(path.dropFirst())
        let prefix = parts.first == "random" && parts.dropFirst().first == "keys" ? 2
            : ["grid", "zip"].contains(parts.first ?? "") ? 1 : parts.count
        guard parts.count > prefix else { return parts }
        return Array(parts.prefix(prefix)) + [parts.dropFirst(prefix).joined(separator: ".")]
    }

    /// "--set" for a command-line override, "sweep" for a sweep's, in messages.
    var origin: String { keyLocation.file.hasPrefix("--set") ? "--set" : "sweep" }

    /// Reads a command-line override "key=value" (the value is YAML: `0.1`, `[0.5, 0.999]`,
    /// `{adam: {lr: 0.001}}`); errors name it as `--set`.
    public static func commandLine(_ text: String) throws(SpecError) -> Override {
        try commandLine(text, option: "--set")
    }

    /// Reads "key=value" given to the command-line option `option`, which names it in errors.
    static func commandLine(_ text: String, option: String) throws(SpecError) -> Override {
        let location = SourceLocation(file: "\(option) \(text)", line: 1, column: 1)
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw SpecError(.sweep, "expected key=value, e.g. model.beta=0.5", at: location)
        }
        let key = String(text[..<equals]), valueText = String(text[text.index(after: equals)...])
        try checkKey(key, at: location, origin: option)
        // the value's places count from the start of "key=value"
        let value = try YAMLNode.parse(valueText.isEmpty ? "''" : valueText, file: "\(option) \(text)")
            .shifted(columns: key.count + 1)
        return Override(key: key, keyLocation: location, value: value)
    }
}

/// How the points of a sweep are chosen. The factors present (grid, zip, points, random)
/// are combined as a Cartesian product: every grid combination × every zip row × every
/// explicit point × every random sample.
public struct SweepSpec: Equatable, Sendable {
    /// A distribution of a random-search key; bounds are in real space.
    public enum Distribution: Equatable, Sendable {
        case choice([YAMLNode])
        case uniform(Double, Double)
        /// log-uniform between the bounds (both > 0).
        case logUniform(Double, Double)
        /// an integer uniform in [low, high], both included.
        case intUniform(Int, Int)
    }

    public struct RandomSearch: Equatable, Sendable {
        public var count: Int
        public var seed: UInt64
        public var keys: [(key: String, keyLocation: SourceLocation, distribution: Distribution)]

        public static func == (a: RandomSearch, b: RandomSearch) -> Bool {
            a.count == b.count && a.seed == b.seed && a.keys.map(\.key) == b.keys.map(\.key)
                && a.keys.map(\.distribution) == b.keys.map(\.distribution)
        }
    }

    /// How many points run at once (worker processes), when the file says.
    public var parallel: Int?
    /// The largest number of points the sweep may expand to.
    public var maxPoints: Int
    /// Each key with its list of values.
    public var grid: [(key: String, keyLocation: SourceLocation, values: [YAMLNode])]
    /// Keys whose lists are read row by row (equal lengths).
    public var zip: [(key: String, keyLocation: SourceLocation, values: [YAMLNode])]
    /// Explicit override sets.
    public var points: [[Override]]
    public var random: RandomSearch?
    /// Successive halving over the points; nil trains every point to the end.
    public var prune: PruneSpec?
    public var location: SourceLocation

    public static func == (a: SweepSpec, b: SweepSpec) -> Bool {
        a.parallel == b.parallel && a.maxPoints == b.maxPoints && a.points == b.points && a.random == b.random && a.prune == b.prune
            && a.grid.map(\.key) == b.grid.map(\.key) && a.grid.map(\.values) == b.grid.map(\.values)
            && a.zip.map(\.key) == b.zip.map(\.key) && a.zip.map(\.values) == b.zip.map(\.values)
    }

    static let keys = ["parallel", "max_points", "grid", "zip", "points", "random", "prune"]

    static func parse(_ node: YAMLNode) throws(SpecError) -> SweepSpec {
        let f = try node.fields("sweep", allowed: keys)
        var spec = SweepSpec(parallel: try f["parallel"]?.int("sweep.parallel", min: 1, max: 64),
                             maxPoints: try f["max_points"]?.int("sweep.max_points", min: 1, max: 100_000) ?? 256,
                             grid: [], zip: [], points: [], random: nil, prune: nil, location: f.location)
        if let g = f["grid"] { spec.grid = try lists(g, "sweep.grid") }
        if let z = f["zip"] {
            spec.zip = try lists(z, "sweep.zip")
            if let first = spec.zip.first, let other = spec.zip.first(where: { $0.values.count != first.values.count }) {
                throw SpecError(.sweep, "'sweep.zip' lists must have equal lengths: '\(first.key)' has \(first.values.count), '\(other.key)' has \(other.values.count)", at: other.keyLocation)
            }
        }
        if let p = f["points"] {
            for (i, item) in try p.list("sweep.points").enumerated() {
                guard case .mapping(let pairs, _) = item else {
                    throw SpecError(.wrongType, "'sweep.points[\(i)]' must be a mapping of keys to values, found \(item.kindDescription)", at: item.location)
                }
                spec.points.append(pairs)
            }
        }
        if let r = f["random"] { spec.random = try parseRandom(r) }
        if let p = f["prune"] { spec.prune = try PruneSpec.parse(p) }
        var seen: [String: SourceLocation] = [:]
        let allKeys = spec.grid.map { ($0.key, $0.keyLocation) } + spec.zip.map { ($0.key, $0.keyLocation) }
            + (spec.random?.keys.map { ($0.key, $0.keyLocation) } ?? [])
        for (key, location) in allKeys {
            if let first = seen[key] {
                throw SpecError(.sweep, "sweep key '\(key)' appears twice (first at line \(first.line))", at: location)
            }
            seen[key] = location
        }
        for point in spec.points {
            for o in point where seen[o.key] != nil {
                throw SpecError(.sweep, "sweep key '\(o.key)' is set by a point and by another part of the sweep", at: o.keyLocation)
            }
        }
        for (key, location) in allKeys + spec.points.flatMap({ $0.map { ($0.key, $0.keyLocation) } }) {
            try Override.checkKey(key, at: location, origin: "sweep")
            if key == "sweep" || key.hasPrefix("sweep.") || key == "analysis" || key.hasPrefix("analysis.") || key == "name" {
                throw SpecError(.sweep, "'\(key)' cannot be swept", at: location)
            }
        }
        return spec
    }

    private static func lists(_ node: YAMLNode, _ path: String) throws(SpecError) -> [(key: String, keyLocation: SourceLocation, values: [YAMLNode])] {
        guard case .mapping(let pairs, _) = node else {
            throw SpecError(.wrongType, "'\(path)' must map keys to lists of values, found \(node.kindDescription)", at: node.location)
        }
        var result: [(key: String, keyLocation: SourceLocation, values: [YAMLNode])] = []
        for pair in pairs {
            guard case .sequence(let values, let location) = pair.value else {
                throw SpecError(.wrongType, "'\(path).\(pair.key)' must be a list of values, found \(pair.value.kindDescription)", at: pair.value.location)
            }
            guard !values.isEmpty else {
                throw SpecError(.sweep, "'\(path).\(pair.key)' is empty: the sweep would expand to zero points", at: location)
            }
            result.append((pair.key, pair.keyLocation, values))
        }
        return result
    }

    private static func parseRandom(_ node: YAMLNode) throws(SpecError) -> RandomSearch {
        let f = try node.fields("sweep.random", allowed: ["count", "seed", "keys"])
        let keysNode = try f.required("keys")
        guard case .mapping(let pairs, _) = keysNode else {
            throw SpecError(.wrongType, "'sweep.random.keys' must map keys to distributions, found \(keysNode.kindDescription)", at: keysNode.location)
        }
        var keys: [(key: String, keyLocation: SourceLocation, distribution: Distribution)] = []
        for pair in pairs {
            let path = "sweep.random.keys.\(pair.key)"
            let d = try pair.value.fields(path, allowed: ["choice", "uniform", "log_uniform", "int_uniform"])
            guard d.pairs.count == 1, let kind = d.pairs.first else {
                throw SpecError(.sweep, "'\(path)' needs exactly one distribution: choice, uniform, log_uniform or int_uniform", at: pair.value.location)
            }
            let distribution: Distribution
            switch kind.key {
            case "choice":
                distribution = .choice(try kind.value.list(d.path("choice"), nonEmpty: true))
            case "int_uniform":
                // within ±2⁵³, where every integer is exact as the Double the draw computes in
                let (low, high) = try bounds(kind.value, d.path("int_uniform")) { n, p throws(SpecError) in
                    Double(try n.int(p, min: -SweepSpec.largestExactInteger, max: SweepSpec.largestExactInteger))
                }
                distribution = .intUniform(Int(low), Int(high))
            default:
                let isLog = kind.key == "log_uniform"
                let (low, high) = try bounds(kind.value, d.path(kind.key)) { n, p throws(SpecError) in
                    isLog ? try n.double(p, exclusiveMin: 0) : try n.double(p)
                }
                distribution = isLog ? .logUniform(low, high) : .uniform(low, high)
            }
            keys.append((pair.key, pair.keyLocation, distribution))
        }
        guard !keys.isEmpty else {
            throw SpecError(.sweep, "'sweep.random.keys' is empty", at: keysNode.location)
        }
        let seed = try f["seed"]?.int("sweep.random.seed", min: 0) ?? 0
        return RandomSearch(count: try f.required("count").int("sweep.random.count", min: 1),
                            seed: UInt64(seed), keys: keys)
    }

    private static func bounds(_ node: YAMLNode, _ path: String,
                               _ read: (YAMLNode, String) throws(SpecError) -> Double) throws(SpecError) -> (Double, Double) {
        let items = try node.list(path)
        guard items.count == 2 else {
            throw SpecError(.sweep, "'\(path)' must be [low, high], found \(items.count) values", at: node.location)
        }
        let low = try read(items[0], "\(path)[0]"), high = try read(items[1], "\(path)[1]")
        guard low <= high else {
            throw SpecError(.sweep, "'\(path)' must have low ≤ high, found [\(low.shortDescription), \(high.shortDescription)]", at: node.location)
        }
        return (low, high)
    }

    /// Every point's overrides, in a fixed order (grid varies slowest, random fastest);
    /// random values are drawn from the search's seed, so the same file gives the same points.
    public func overrideSets() throws(SpecError) -> [[Override]] {
        let count = pointCount
        guard let count, count <= maxPoints else {
            throw SpecError(.sweep, "the sweep expands to \(count.map(String.init) ?? "over 2⁶³") points, more than 'sweep.max_points' (\(maxPoints))", at: location)
        }
        var sets: [[Override]] = [[]]
        func multiply(_ factor: [[Override]]) {
            sets = sets.flatMap { base in factor.map { base + $0 } }
        }
        for (key, location, values) in grid {
            multiply(values.map { [Override(key: key, keyLocation: location, value: $0)] })
        }
        if let rows = zip.first?.values.count {
            multiply((0..<rows).map { row in zip.map { Override(key: $0.key, keyLocation: $0.keyLocation, value: $0.values[row]) } })
        }
        if !points.isEmpty { multiply(points) }
        if let random {
            var generator = RandomGenerator(seed: random.seed)
            multiply((0..<random.count).map { _ in
                random.keys.map { Override(key: $0.key, keyLocation: $0.keyLocation, value: SweepSpec.draw($0.distribution, at: $0.keyLocation, &generator)) }
            })
        }
        return sets
    }

    /// The number of points, counted without expanding anything; nil if it overflows.
    public var pointCount: Int? {
        let factors = grid.map(\.values.count) + [zip.first?.values.count ?? 1, points.isEmpty ? 1 : points.count, random?.count ?? 1]
        var product = 1
        for factor in factors {
            let (result, overflow) = product.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            product = result
        }
        return product
    }

    private static func draw(_ distribution: Distribution, at location: SourceLocation,
                             _ generator: inout RandomGenerator) -> YAMLNode {
        let u = Double(generator.nextUInt32()) / 4_294_967_296.0
        switch distribution {
        case .choice(let values):
            return values[min(Int(u * Double(values.count)), values.count - 1)]
        case .uniform(let low, let high):
            return .scalar(roundedText(low + (high - low) * u), isPlain: true, location)
        case .logUniform(let low, let high):
            return .scalar(roundedText(exp(log(low) + (log(high) - log(low)) * u)), isPlain: true, location)
        case .intUniform(let low, let high):
            let width = Double(high) - Double(low) + 1
            let value = Int(min(Double(low) + (u * width).rounded(.down), Double(high)))
            return .scalar(String(value), isPlain: true, location)
        }
    }

    /// The bound of `int_uniform`'s values: 2⁵³, the largest integer a Double holds with every
    /// integer below it.
    static let largestExactInteger = 1 << 53

    /// Six significant digits: readable run ids, and the value the run really uses.
    static func roundedText(_ value: Double) -> String {
        guard let rounded = Double(String(format: "%.6g", value)) else { return "\(value)" }
        return rounded.shortDescription
    }
}
