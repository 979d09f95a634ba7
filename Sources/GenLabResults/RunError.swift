import GenLabData
import GenLabModels
import GenLabNN
import GenLabSpec
import GenLabStore

/// Why a run could not start or did not finish: every failure a user can meet, with the
/// file concerned and a typed reason (those of the experiment, dataset and run file kept).
public struct RunError: GenLabError, Equatable {
    public enum Reason: Equatable, Sendable {
        /// The experiment file (or an override) is wrong.
        case experiment(SpecError.Reason)
        /// The dataset cannot be read or does not fit.
        case dataset(DataError.Reason)
        /// The run file cannot be read or written.
        case runFile(HDF5Error.Reason)
        /// The run file's checkpoint does not fit the model its configuration builds, or
        /// cannot be continued exactly.
        case checkpoint
        /// No sweep point has the asked run id.
        case noSuchPoint
        /// The run file was written for another configuration than the point's.
        case runExists
        /// Another process is training this point.
        case locked
        /// The results folder or the lock cannot be created, or the old file removed.
        case io
        /// A step failed: a shape error, or a loss that is not finite.
        case training
        /// The training set is smaller than one batch.
        case datasetTooSmall
        /// A sweep's definition (`sweep-*.json`) cannot be read or does not fit.
        case manifest
        /// A worker process could not be started, or ended without saying why.
        case worker
        /// An analysis cannot run on this run (a GAN asked for reconstructions, no test images).
        case analysis
        /// A comparison was asked for a column or key the sweep does not have.
        case comparison
        /// The cluster's scheduler refused a submission (sbatch failed or is missing).
        case scheduler
        /// An option does not apply to what it was given (`--set` with a results folder).
        case options
    }

    /// The file or folder concerned (experiment, dataset, run file).
    public var path: String
    /// Where in `path` (an experiment file's "line:column"), if known.
    public var place: String?
    public var reason: Reason
    public var message: String

    public init(_ reason: Reason, _ message: String, path: String, place: String? = nil) {
        self.path = path
        self.place = place
        self.reason = reason
        self.message = message
    }

    public var file: String { path }

    package init(_ error: SpecError) { self.init(.experiment(error.reason), error.message, path: error.file, place: error.place) }
    package init(_ error: DataError) { self.init(.dataset(error.reason), error.message, path: error.path) }
    package init(_ error: HDF5Error) { self.init(.runFile(error.reason), error.message, path: error.path) }
}
