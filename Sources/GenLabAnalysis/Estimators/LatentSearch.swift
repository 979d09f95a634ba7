import GenLabNN
import GenLabSpec
import GenLabTensor

/// Adam on a few tensors (latents, or a posterior's μ and log σ) with every network frozen,
/// as the notebooks' inversion, activation maximisation and posterior fitting run it: each
/// step clears the gradients, evaluates the objective (which writes them) and updates.
struct LatentSearch {
    let steps: Int
    let lr: Double

    /// `steps` and `lr` of an analysis's parameters, with its defaults.
    init(_ parameters: Fields?, steps: Int, lr: Double) throws(SpecError) {
        self.steps = try parameters.int("steps", default: steps, min: 1, max: 1_000_000)
        self.lr = try parameters.double("lr", default: lr, exclusiveMin: 0, max: 1e3)
    }

    /// Minimises `objective` over `parameters`; returns its value at every step (before that
    /// step's update). A value that is not finite stops the search with an error naming the step.
    func minimise(_ parameters: [NamedParameter], objective: () throws(ShapeError) -> Float) throws(ShapeError) -> [Float] {
        let adam = Adam(parameters, lr: Float(lr))
        var values: [Float] = []
        for step in 0..<steps {
            adam.zeroGrad()
            let value = try objective()
            guard value.isFinite else { throw ShapeError("the objective is \(value) at step \(step) (lr \(lr))") }
            values.append(value)
            adam.step()
        }
        return values
    }
}
