// Test helper: commits a run file at the path given as argument over and over (each
// version's weights filled with its version number), until killed. The kill-during-
// checkpoint test runs it and kills it at random moments.
import Glibc
import GenLabStore

let path = CommandLine.arguments[1]
var version: Int64 = 0
while true {
    version += 1
    let metadata = RunMetadata(experiment: "stress", runID: "v\(version)", status: .running, configYAML: "name: stress\n",
                               sweepPoint: "", genlabVersion: "test", startedAt: "2026-11-21T00:00:00Z")
    let weights = [StoredArray(name: "0.weight", shape: [256, 1024], floats: [Float](repeating: Float(version), count: 256 * 1024))]
    let state = RunState(weights: ["net": weights], buffers: [:], optimizers: [:], rng: [:],
                         progress: RunProgress(step: version, epoch: 0, batch: version))
    var history = HistoryRows()
    history.append(step: version, epoch: 0, losses: ["loss": Float(version)])
    do {
        try RunFile.commit(path: path, metadata: metadata, state: state, newHistory: history)
    } catch {
        print("commit failed: \(error)")
        exit(1)
    }
    print("committed \(version)")
}
