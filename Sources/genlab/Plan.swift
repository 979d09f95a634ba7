import ArgumentParser
import GenLabAnalysis
import GenLabCore
import GenLabModels
import GenLabReport
import GenLabResults
import GenLabSpec
import GenLabSweeps
import GenLabTraining

/// `genlab plan FILE`: the expanded sweep and the networks, layer by layer.
struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show an experiment's sweep points (run id and overrides) and, per network, its layers with output shapes and parameter counts."
    )

    @OptionGroup var experiment: ExperimentOptions

    @Flag(help: "Print the first point's model description and configuration as JSON instead: {\"model\": …, \"config\": …}, the run file's model_json and config_json.")
    var json = false

    func run() throws {
        let points = try experiment.selection.select(try experiment.selection.load().points())
        for point in points.dropFirst() { _ = try BuiltModel(point.experiment, initializing: false) }
        let model = try BuiltModel(points[0].experiment, initializing: false)
        let e = model.experiment
        if json {
            print(JSONValue.object([("model", RunDescription.modelJSON(model)), ("config", e.tree.json)]).text)
            return
        }
        print("experiment \(e.name): \(e.model.kind.rawValue), latent \(e.model.latent), on \(e.dataset.name.rawValue) \(e.dataset.imageShape.shapeDescription)")
        print("\(points.count) point\(points.count == 1 ? "" : "s")\(points.count == 1 && points[0].overrides.isEmpty ? "" : ":")")
        if points.count > 1 || !points[0].overrides.isEmpty {
            for point in points {
                print("  \(point.runID)  " + point.overrides.map { "\($0.key)=\($0.value.compactText)" }.joined(separator: " "))
            }
        } else {
            print("  \(points[0].runID)")
        }
        if points.count > 1 { print("networks of the first point:") }
        for built in model.networks {
            print("")
            print("\(built.name) (input \(built.inputShape.shapeDescription))")
            let width = max(40, built.rows.map(\.description.count).max() ?? 0)
            print("  #   " + "layer".padding(toLength: width, withPad: " ", startingAt: 0) + "  output          parameters")
            for row in built.rows {
                print("  " + String(row.index).padding(toLength: 4, withPad: " ", startingAt: 0)
                      + row.description.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                      + row.outputShape.shapeDescription.padding(toLength: 14, withPad: " ", startingAt: 0)
                      + String(row.parameters).rightAligned(11))
            }
            print("      " + "total".padding(toLength: width + 16, withPad: " ", startingAt: 0) + String(built.parameterCount).rightAligned(11))
        }
        print("")
        print("parameters in all: \(model.parameterCount)")
    }
}

extension String {
    /// Right-aligned in a field of `width` characters.
    func rightAligned(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
