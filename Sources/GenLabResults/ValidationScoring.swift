/// Numbers a validation adds to the objective's loss terms from outside training (the
/// evaluation classifier's Fréchet distance, `record.validation.fd`, which `GenLabAnalysis`
/// computes and training does not import): given by the command that trains.
public protocol ValidationScoring: Sendable {
    /// The history columns of `run`, keyed by column ("validation.fd"), scoring `count`
    /// images; `run` holds the weights being trained, in evaluation mode.
    func scores(_ run: TrainedRun, count: Int) throws(RunError) -> [String: Float]
}
