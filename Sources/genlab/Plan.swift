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
        for line in PlanText.lines(points: points, model: model) { print(line) }
    }
}
