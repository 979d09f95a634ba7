/// A selection of sweep points by swept value (`--where model.beta=0.1`), for commands that
/// act on some points of a sweep. Values compare as the configuration hash does: `0.1` and
/// `1e-1` are the same number.
public struct PointFilter: Equatable, Sendable {
    /// The swept key and the value asked for.
    public var condition: Override

    /// Reads "key=value" given to `--where`.
    public static func commandLine(_ text: String) throws(SpecError) -> PointFilter {
        PointFilter(condition: try Override.commandLine(text, option: "--where"))
    }

    /// Whether `point` sets the key to the value.
    public func matches(_ point: ExperimentPoint) -> Bool {
        point.overrides.contains { $0.key == condition.key && $0.value.canonicalText == condition.value.canonicalText }
    }

    /// The points every filter matches, in sweep order. A key that is not swept, or a value
    /// no point has, is an error listing what the sweep has.
    public static func select(_ points: [ExperimentPoint], _ filters: [PointFilter]) throws(SpecError) -> [ExperimentPoint] {
        for filter in filters {
            let key = filter.condition.key
            let values = points.compactMap { $0.overrides.first { $0.key == key }?.value }
            guard !values.isEmpty else {
                var swept: [String] = []
                for o in points.flatMap(\.overrides) where !swept.contains(o.key) { swept.append(o.key) }
                let known = swept.isEmpty ? "the experiment has no sweep" : "the swept keys are \(swept.joined(separator: ", "))"
                throw SpecError(.sweep, "'\(key)' is not a swept key: \(known)", at: filter.condition.keyLocation)
            }
            guard points.contains(where: filter.matches) else {
                var distinct: [String] = []
                for v in values.map(\.compactText) where !distinct.contains(v) { distinct.append(v) }
                throw SpecError(.sweep, "no point of the sweep has \(key)=\(filter.condition.value.compactText); its values are \(distinct.joined(separator: ", "))",
                                at: filter.condition.value.location)
            }
        }
        return points.filter { point in filters.allSatisfy { $0.matches(point) } }
    }
}
