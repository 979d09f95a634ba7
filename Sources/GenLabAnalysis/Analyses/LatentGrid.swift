import GenLabData
import GenLabModels
import GenLabResults
import GenLabSpec
import GenLabStore

/// `latent_grid`: the decoder over a `points` × `points` grid of two latent dimensions in
/// [−range, range], the others 0 (000 `create_grid_of_latents`), and over the plane of the
/// first two principal components of the first `count` test images' μ, at mean + a·√λ₁·v₁ +
/// b·√λ₂·v₂ for a, b in [−range, range] (000 bonus). Rows go down the second coordinate.
public struct LatentGrid: Analysis {
    public static let name = "latent_grid"
    public static let kinds = autoencoders
    public static let parameterNames = ["range", "points", "dims", "count"]
    let range: Double
    let points: Int
    let dims: (Int, Int)
    let count: Int

    public init(_ parameters: Fields?) throws(SpecError) {
        range = try parameters.double("range", default: 3, exclusiveMin: 0, max: 1e6)
        points = try parameters.int("points", default: 10, min: 2, max: 64)
        count = try parameters.int("count", default: 2000, min: 3, max: 100_000)
        if let node = parameters?["dims"] {
            let items = try node.list(parameters!.path("dims"))
            guard items.count == 2 else {
                throw SpecError(.invalidValue, "'\(parameters!.path("dims"))' must be two latent dimensions, e.g. [0, 1]", at: node.location)
            }
            dims = (try items[0].int(parameters!.path("dims") + "[0]", min: 0), try items[1].int(parameters!.path("dims") + "[1]", min: 0))
        } else {
            dims = (0, 1)
        }
    }

    /// `points` values from −range to range.
    static func steps(_ range: Double, _ points: Int) -> [Double] {
        (0..<points).map { -range + 2 * range * Double($0) / Double(points - 1) }
    }

    public func run(on run: TrainedRun, data: AnalysisData, pictures: String) throws(RunError) -> AnalysisRecord {
        let model = try run.latentModel(for: Self.name)
        let k = model.latentSizes[0]
        guard dims.0 < k, dims.1 < k, dims.0 != dims.1 else {
            throw RunError(.analysis, "'latent_grid' dims [\(dims.0), \(dims.1)] must be two different dimensions below the latent size \(k)", path: run.path)
        }
        let steps = Self.steps(range, points)
        var z = [Float](repeating: 0, count: points * points * k)
        for (row, b) in steps.reversed().enumerated() {
            for (column, a) in steps.enumerated() {
                z[(row * points + column) * k + dims.0] = Float(a)
                z[(row * points + column) * k + dims.1] = Float(b)
            }
        }
        let images = try data.decoded(z, model: model, run: run, analysis: Self.name)
        let test = try data.testImages(for: run, analysis: Self.name).prefix(count)
        let (mu, _) = try data.means(test, model: model, run: run, analysis: Self.name)
        let pca = PrincipalComponents.of(rows: mu, dimension: k, leading: 2)
        let scale = pca.explainedVariance.prefix(2).map { $0.squareRoot() }
        var plane = [Float](repeating: 0, count: points * points * k)
        for (row, b) in steps.reversed().enumerated() {
            for (column, a) in steps.enumerated() {
                for j in 0..<k {
                    plane[(row * points + column) * k + j] = Float(pca.mean[j] + a * scale[0] * pca.components[0][j] + b * scale[1] * pca.components[1][j])
                }
            }
        }
        let planeImages = try data.decoded(plane, model: model, run: run, analysis: Self.name)
        try data.picture(images, count: points * points, columns: points, named: "latent_grid.png", in: pictures)
        try data.picture(planeImages, count: points * points, columns: points, named: "latent_grid_pca.png", in: pictures)
        let shape = [points * points] + run.experiment.dataset.imageShape
        return AnalysisRecord(name: Self.name, attributes: [
            ("definition", .text("decoder (evaluation mode, pixel scale\(model.classes > 0 ? ", label 0" : "")) over a grid: z = 0 but dimensions \(dims.0) (across) and \(dims.1) (up) in [−\(range), \(range)]; and z = mean + a·√λ₁·v₁ + b·√λ₂·v₂ over the first two principal components of μ of the first \(test.count) test images")),
            ("step", .integer(Int64(run.step))), ("range", .number(range)), ("points", .integer(Int64(points))),
            ("dims", .text("\(dims.0), \(dims.1)"))],
            arrays: [StoredArray(name: "z", shape: [points * points, k], floats: z), StoredArray(name: "images", shape: shape, floats: images),
                     StoredArray(name: "z_pca", shape: [points * points, k], floats: plane),
                     StoredArray(name: "images_pca", shape: shape, floats: planeImages),
                     StoredArray(name: "pca_mean", shape: [k], floats: pca.mean.map(Float.init)),
                     StoredArray(name: "pca_components", shape: [2, k], floats: pca.components.prefix(2).flatMap { $0.map(Float.init) }),
                     StoredArray(name: "pca_explained_variance", shape: [2], floats: pca.explainedVariance.prefix(2).map(Float.init))])
    }
}
