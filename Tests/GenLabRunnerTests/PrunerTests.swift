import Foundation
import GenLabCore
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabTestSupport
import Testing

/// Successive halving's decisions, against Optuna itself (asynchronous) and by their
/// definition (synchronous), and the rung table's file.
@Suite struct PrunerTests {
    struct OptunaFile: Decodable {
        struct Event: Decodable {
            let trial: Int
            let step: Int
            let value: Double?
            let pruned: Bool
        }

        struct Case: Decodable {
            let name: String
            let min_resource: Int
            let reduction_factor: Int
            let direction: String
            let trials: Int
            let events: [Event]
        }

        let optuna_version: String
        let cases: [Case]
    }

    static let optuna: OptunaFile? = try? JSONDecoder().decode(
        OptunaFile.self, from: Data(contentsOf: Golden.folder.appendingPathComponent("optuna-asha.json")))

    static func pruner(_ yaml: String, population: [String], total: Int, folder: String) throws -> Pruner {
        let spec = try PruneSpec.read(yaml: yaml, file: "test")
        return try Pruner(PrunedSweep(spec: spec, table: "\(folder)/rungs-test.json", population: population, folder: folder), total: total)
    }

    /// The same reports in the same order as Optuna's `SuccessiveHalvingPruner` received
    /// them (optuna-asha.json, `generate_asha_reference.py`): the same decision every time —
    /// ties, NaN and both directions included.
    @Test func asynchronousIsOptunasRule() throws {
        let file = try #require(PrunerTests.optuna, "Tests/Fixtures/optuna-asha.json is missing")
        #expect(file.cases.count == 6)
        for c in file.cases {
            let folder = try RunHarness.folder("asha-\(c.name)")
            let pruner = try PrunerTests.pruner(
                "{metric: m, strategy: asynchronous, min_steps: \(c.min_resource), reduction_factor: \(c.reduction_factor), mode: \(c.direction == "minimize" ? "min" : "max")}",
                population: (0..<c.trials).map { "t\($0)" }, total: c.min_resource * Int(pow(Double(c.reduction_factor), 5)), folder: folder)
            for (n, event) in c.events.enumerated() {
                let verdict = try pruner.report("t\(event.trial)", step: event.step, value: event.value ?? .nan)
                let pruned = if case .pruned = verdict { true } else { false }
                #expect(pruned == event.pruned, "\(c.name) event \(n): trial \(event.trial) at step \(event.step) value \(event.value ?? .nan): Optuna \(event.pruned ? "prunes" : "promotes")")
                #expect(verdict != .waiting("") && { if case .waiting = verdict { false } else { true } }())
            }
        }
    }

    /// A synchronous rung: the best ⌈n/η⌉ go on (ties by the sweep's order, NaN last), the
    /// same whatever order the reports come in; nobody learns anything before the last
    /// report; a rerun's report gets the decision already made.
    @Test(arguments: [[0, 1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1, 0], [3, 0, 6, 1, 5, 2, 4]])
    func synchronousRung(_ arrival: [Int]) throws {
        let values: [Double] = [0.5, 0.2, .nan, 0.2, 0.9, 0.1, 0.7]
        let population = (0..<7).map { "p\($0)" }
        let folder = try RunHarness.folder("sync")
        let pruner = try PrunerTests.pruner("{metric: m, min_steps: 10, reduction_factor: 3}", population: population, total: 100, folder: folder)
        #expect(pruner.rungs == [10, 30, 90])
        for (n, i) in arrival.enumerated() {
            let verdict = try pruner.report("p\(i)", step: 10, value: values[i])
            if n < arrival.count - 1 {
                #expect({ if case .waiting = verdict { true } else { false } }(), "p\(i) must wait for the others")
            }
        }
        // ⌈7/3⌉ = 3: 0.1 (p5), then the tie 0.2 of p1 and p3 (both: third place), not p0's 0.5
        let table = try RungTable.read(path: pruner.table)
        let promoted = Set(table.rungs[0].reports.filter { $0.decision == .promoted }.map(\.runID))
        #expect(promoted == ["p5", "p1", "p3"])
        #expect(try pruner.report("p2", step: 10, value: 0.0) != .goOn, "a report made before stands (p2 reported NaN)")
        #expect(try pruner.verdict(of: "p5", at: 10) == .goOn)
        // the next rung's members are the three promoted ones
        _ = try pruner.report("p5", step: 30, value: 0.3)
        #expect(try pruner.report("p1", step: 30, value: 0.1) == .waiting("waiting at rung 30 for the other points"))
        #expect(try pruner.report("p3", step: 30, value: 0.2) != .goOn, "⌈3/3⌉ = 1 goes on: p1")
        #expect(try pruner.verdict(of: "p1", at: 30) == .goOn)
    }

    /// A point that failed before reporting counts as the worst: the rung is decided without it.
    @Test func failedPointCountsAsWorst() throws {
        let folder = try RunHarness.folder("sync-failed")
        let pruner = try PrunerTests.pruner("{metric: m, mode: max, rungs: [5], reduction_factor: 2}", population: ["a", "b", "c"], total: 20, folder: folder)
        _ = try pruner.report("a", step: 5, value: 1)
        #expect({ if case .waiting = try! pruner.report("b", step: 5, value: 2) { true } else { false } }())
        try FileManager.default.createDirectory(atPath: "\(folder)/c", withIntermediateDirectories: true)
        try PointFiles(folder: "\(folder)/c").noteFailure("boom")
        // ⌈3/2⌉ = 2 go on: b and a (max mode), c NaN
        #expect(try pruner.report("a", step: 5, value: 1) == .goOn)
        #expect(try pruner.verdict(of: "b", at: 5) == .goOn)
        #expect(try RungTable.read(path: pruner.table).report(of: "c", at: 5)?.decision == .pruned)
    }

    /// Rungs: S, Sη, … below the budget; explicit ones must increase and end before it.
    @Test func rungs() throws {
        func rungs(_ yaml: String, _ total: Int) throws -> [Int] { try PruneSpec.read(yaml: yaml, file: "t").rungs(total: total) }
        #expect(try rungs("{metric: m, min_steps: 4, reduction_factor: 3}", 100) == [4, 12, 36])
        #expect(try rungs("{metric: m, min_steps: 4, reduction_factor: 3, max_steps: 36}", 100) == [4, 12])
        #expect(try rungs("{metric: m, rungs: [3, 50]}", 100) == [3, 50])
        for (yaml, total) in [("{metric: m, rungs: [3, 100]}", 100), ("{metric: m, min_steps: 100}", 100), ("{metric: m, min_steps: 1, max_steps: 200}", 100)] {
            #expect(throws: SpecError.self, "\(yaml)") { try rungs(yaml, total) }
        }
        for bad in ["{metric: m, rungs: [3, 3]}", "{metric: m, rungs: [5, 3]}", "{metric: m, min_steps: 2, reduction_factor: 1}",
                    "{metric: m}", "{metric: m, min_steps: 2, rungs: [3]}", "{min_steps: 2}", "{metric: m, min_steps: 2, strategy: hyperband}"] {
            #expect(throws: SpecError.self, "\(bad)") { try PruneSpec.read(yaml: bad, file: "t") }
        }
    }

    /// A writer killed in the middle leaves its temporary file, never a half table: the table
    /// reads as before, and the next change removes the leftover.
    @Test func killedWriterLeavesTheTableWhole() throws {
        let folder = try RunHarness.folder("rung-kill")
        let pruner = try PrunerTests.pruner("{metric: m, min_steps: 10, reduction_factor: 2, strategy: asynchronous}", population: ["a", "b"], total: 100, folder: folder)
        _ = try pruner.report("a", step: 10, value: 1)
        let before = try RungTable.read(path: pruner.table)
        let leftover = PrivateFile.temporaryName(beside: pruner.table)
        try Data("{\"format\": \"genlab-rungs\", \"rungs\": [{\"st".utf8).write(to: URL(fileURLWithPath: leftover))
        #expect(try RungTable.read(path: pruner.table) == before)
        #expect(try pruner.report("b", step: 10, value: 2) == .pruned("pruned at step 10: m 2 ranked 2 of the 2 points at this rung (asynchronous successive halving, η = 2)"))
        #expect(!FileManager.default.fileExists(atPath: leftover))
        #expect(try RungTable.read(path: pruner.table).rungs[0].reports.map(\.runID) == ["a", "b"])
    }

    /// A damaged table is an error naming it, never read as decisions.
    @Test(arguments: ["{", "{\"format\": \"genlab-rungs\", \"rungs\": [{\"step\": 5, \"reports\": [{\"run_id\": \"a\"}, {\"run_id\": \"a\"}]}]}",
                      "{\"format\": \"other\", \"rungs\": []}", "{\"format\": \"genlab-rungs\", \"rungs\": [{\"step\": -1, \"reports\": []}]}"])
    func damagedTable(_ text: String) throws {
        let path = try RunHarness.folder("rung-table") + "/rungs-x.json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(throws: RunError.self) { try RungTable.read(path: path) }
        #expect(error.path == path && error.message.contains("rung table"))
    }
}
