import GenLabModels
import GenLabSpec

/// What `genlab plan` prints: the experiment, its points with their run ids and overrides,
/// and the first point's networks layer by layer (output shapes, parameter counts).
public enum PlanText {
    /// The lines for `points`, whose first point built `model`.
    public static func lines(points: [ExperimentPoint], model: BuiltModel) -> [String] {
        let e = model.experiment
        var lines: [String] = []
        lines.append("experiment \(e.name): \(e.model.kind.rawValue), latent \(e.model.latent), on \(e.dataset.name.rawValue) \(e.dataset.imageShape.shapeDescription)")
        lines.append("\(points.count) point\(points.count == 1 ? "" : "s")\(points.count == 1 && points[0].overrides.isEmpty ? "" : ":")")
        if points.count > 1 || !points[0].overrides.isEmpty {
            for point in points {
                lines.append("  \(point.runID)  " + point.overrides.map { "\($0.key)=\($0.value.compactText)" }.joined(separator: " "))
            }
        } else {
            lines.append("  \(points[0].runID)")
        }
        if points.count > 1 { lines.append("networks of the first point:") }
        for built in model.networks {
            lines.append("")
            lines.append("\(built.name) (input \(built.inputShape.shapeDescription))")
            // a residual block's description spans lines: its first carries the row's figures
            let width = max(40, built.rows.flatMap { $0.description.split(separator: "\n").map(\.count) }.max() ?? 0)
            lines.append("  #   " + "layer".padding(toLength: width, withPad: " ", startingAt: 0) + "  output          parameters")
            for row in built.rows {
                let text = row.description.split(separator: "\n").map(String.init)
                lines.append("  " + String(row.index).padding(toLength: 4, withPad: " ", startingAt: 0)
                            + text[0].padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                            + row.outputShape.shapeDescription.padding(toLength: 14, withPad: " ", startingAt: 0)
                            + String(row.parameters).rightAligned(11))
                lines += text.dropFirst().map { "      " + $0 }
            }
            lines.append("      " + "total".padding(toLength: width + 16, withPad: " ", startingAt: 0) + String(built.parameterCount).rightAligned(11))
        }
        lines.append("")
        lines.append("parameters in all: \(model.parameterCount)")
        return lines
    }
}

extension String {
    /// Right-aligned in a field of `width` characters.
    func rightAligned(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
