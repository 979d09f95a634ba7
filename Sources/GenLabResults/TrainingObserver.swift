import GenLabStore

/// Follows a point's training from outside it: told where training starts and what each
/// commit of the run file added (TensorBoard's event files, which `GenLabTensorBoard` writes
/// and training does not import; given by the command that trains). An observer's own
/// failures never stop training: it reports them through `note`, once, and goes quiet.
public protocol TrainingObserver: AnyObject {
    /// Training starts at step 0 (`previous` nil) or continues from `previous`, the run file
    /// as it was (its history and samples reach its checkpoint at `step`, no further).
    /// `originals` are the holdout images the recorded samples reconstruct (N × C × H × W
    /// on the pixel scale; nil when the samples are generated).
    func begin(step: Int, previous: RunContents?, originals: StoredArray?, note: @escaping (String) -> Void)
    /// The run file has just committed these rows and samples (those new since the last
    /// commit).
    func committed(history: HistoryRows, samples: [SampleRecord])
}
