import Foundation
import GenLabAnalysis
import GenLabReport
import GenLabResults
import GenLabStore
import GenLabSweeps
import GenLabTestSupport
import GenLabTraining
import Testing

/// Resume does not trust the run file: a missing part or an impossible position is an error
/// naming the file, never a run reported completed.
@Suite struct DamagedRunFileTests {
    /// A run stopped after 4 of 8 steps, then `damage` (Python with h5py) applied to a copy.
    func resumeAfter(_ damage: String) throws -> RunError? {
        let point = try RunHarness.point("arena-conv-ae", ["dataset.subset=256", "train.batch_size=32"], length: .steps(8))
        let results = try RunHarness.folder("damaged")
        let stopped = try RunHarness.run(point, results: results, stopAfter: 4)
        #expect(stopped.outcome == .interrupted)
        let path = "\(results)/\(point.experiment.name)/\(point.runID)/run.h5"
        let script = "import h5py\nwith h5py.File('\(path)', 'r+') as f:\n    \(damage)\n"
        let python = try Repository.run("python3", ["-c", script])
        #expect(python.status == 0, "\(python.output)")
        do {
            _ = try RunHarness.run(point, results: results)
            return nil
        } catch let error as RunError {
            #expect(error.path == path)
            return error
        }
    }

    @Test(arguments: [
        ("del f['rng']", "/rng/noise"),
        ("del f['history']", "/history"),
        ("f['progress'].attrs['step'] = -5", "/progress"),
        ("f['progress'].attrs['step'] = 10**12", "/progress"),
        ("f['progress'].attrs['batch'] = 3", "/progress"),
        ("w = f['weights/encoder/0.weight'][:]; del f['weights/encoder/0.weight']; f['weights/encoder/0.weight'] = w.astype('int64')",
         "encoder.0.weight is stored as integers"),
        ("f['weights/encoder/0.weight'][0, 0, 0, 0] = float('nan')", "encoder.0.weight holds nan"),
        ("f['optimizer/model/exp_avg/encoder.0.weight'][0] = float('inf')", "exp_avg/encoder.0.weight holds inf"),
        ("f.attrs['format_version'] = -3", "format_version"),
        ("f['samples'].create_dataset('step_99', data=[0.0])", "samples reach step 99"),
    ])
    func damagedFileIsRefused(_ damage: String, _ named: String) throws {
        let error = try #require(try resumeAfter(damage), "resumed a damaged file (\(damage))")
        #expect(error.message.contains(named), "\(error.message)")
    }
}
