import Foundation
import GenLabData
import GenLabSpec
import GenLabTestSupport
import Testing

/// dSprites drawn from its factor grid: the grid's order, a numpy transcription of the
/// documented drawing (`Fixtures/dsprites-images.json`), every factor changing the image, no
/// two images of different shape or position alike, and the dataset as experiments load it.
@Suite struct DSpritesTests {
    static func render(_ index: Int) -> [UInt8] {
        var image = [UInt8](repeating: 7, count: 64 * 64)
        image.withUnsafeMutableBufferPointer { DSprites().render(index, into: $0.baseAddress!) }
        return image
    }

    @Test func theGridIsDSpritesOrder() {
        let grid = DSprites.grid
        #expect(grid.sizes == [3, 6, 40, 32, 32] && grid.count == 737_280)
        #expect(grid.factors.map(\.name) == ["shape", "scale", "orientation", "position_x", "position_y"])
        #expect(grid.factors[1].values.first == 0.5 && grid.factors[1].values.last == 1 && grid.factors[2].values.last == 2 * Double.pi)
        #expect(grid.indices(of: 0) == [0, 0, 0, 0, 0] && grid.indices(of: 1) == [0, 0, 0, 0, 1] && grid.indices(of: 32) == [0, 0, 0, 1, 0])
        #expect(grid.indices(of: 737_279) == [2, 5, 39, 31, 31] && grid.indices(of: 245_760) == [1, 0, 0, 0, 0])
        for index in [0, 1, 31, 32, 1023, 1024, 40_960, 245_759, 500_000, 737_279] {
            #expect(grid.image(at: grid.indices(of: index)) == index)
        }
    }

    /// The documented drawing, transcribed into numpy, gives the same pixels.
    @Test func imagesEqualTheNumpyTranscription() throws {
        let url = Repository.root.appendingPathComponent("Tests/Fixtures/dsprites-images.json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let images = try #require(json["images"] as? [[String: Any]])
        #expect(images.count == 8)
        for entry in images {
            let index = try #require(entry["index"] as? Int), on = try #require(entry["on"] as? [Int])
            #expect(DSprites.grid.indices(of: index) == entry["factors"] as? [Int])
            let image = DSpritesTests.render(index)
            let drawn = image.indices.filter { image[$0] != 0 }
            #expect(drawn == on, "image \(index): \(Set(drawn).symmetricDifference(on).count) pixels differ")
            #expect(image.allSatisfy { $0 == 0 || $0 == 255 })
        }
    }

    /// Changing any one factor changes the image (orientation: turning a square by 90° or an
    /// ellipse by 180° gives it back, so some turns are alike, but not all); scale and
    /// position values each give a distinct image.
    @Test func everyFactorChangesTheImage() {
        let grid = DSprites.grid
        for base in [[0, 2, 5, 10, 20], [1, 4, 13, 3, 29], [2, 0, 31, 17, 8]] {
            for factor in 1..<5 {
                var seen = Set<[UInt8]>()
                for value in 0..<grid.sizes[factor] {
                    var f = base
                    f[factor] = value
                    seen.insert(DSpritesTests.render(grid.image(at: f)))
                }
                if factor == 2 {
                    #expect(seen.count >= 10, "shape \(base[0]): only \(seen.count) distinct orientations")
                } else {
                    #expect(seen.count == grid.sizes[factor], "shape \(base[0]), factor \(factor): \(seen.count) distinct images")
                }
            }
            var shapes = base
            let alike = (0..<3).map { shape -> [UInt8] in shapes[0] = shape; return DSpritesTests.render(grid.image(at: shapes)) }
            #expect(Set(alike).count == 3)
        }
    }

    /// No two grid images that differ in shape or position are alike: every scale and
    /// orientation, all 3 × 32 × 32 shapes and positions (the whole grid drawn once).
    @Test func shapesAndPositionsNeverCoincide() {
        let grid = DSprites.grid
        var image = [UInt8](repeating: 0, count: 4096)
        for scale in 0..<6 {
            for orientation in 0..<40 {
                // each image as its 4,096 pixels' bits
                var seen = Set<[UInt64]>()
                for shape in 0..<3 {
                    for x in 0..<32 {
                        for y in 0..<32 {
                            image.withUnsafeMutableBufferPointer { DSprites().render(grid.image(at: [shape, scale, orientation, x, y]), into: $0.baseAddress!) }
                            var bits = [UInt64](repeating: 0, count: 64)
                            for p in 0..<4096 where image[p] != 0 { bits[p >> 6] |= 1 << UInt64(p & 63) }
                            seen.insert(bits)
                        }
                    }
                }
                #expect(seen.count == 3072, "scale \(scale), orientation \(orientation): \(3072 - seen.count) images alike")
            }
        }
    }

    @Test func theDatasetAsExperimentsLoadIt() throws {
        let spec = try Experiment.parse("""
            name: d
            dataset: {name: dsprites, holdout: 4}
            model: {kind: vae, latent: 10, encoder: [flatten, {linear: {out: 8}}, relu], decoder: mirror, output: sigmoid, likelihood: bce}
            """, file: "d.yaml").dataset
        #expect(spec.imageShape == [1, 64, 64] && spec.classes == 3)
        let dataset = try DatasetLoader.load(spec).dataset
        #expect(dataset.train.count == 737_280 && dataset.test.count == 10_000 && dataset.factors == DSprites.grid)
        #expect(dataset.classNames == ["square", "ellipse", "heart"])
        #expect(dataset.train.labels[0] == 0 && dataset.train.labels[245_760] == 1 && dataset.train.labels[737_279] == 2)
        let test = (0..<dataset.test.count).compactMap { dataset.test.sourceIndex($0) }
        #expect(Set(test).count == 10_000 && test.allSatisfy { (0..<737_280).contains($0) })
        #expect(zip(test, dataset.test.labels).allSatisfy { Int32($0.0 / 245_760) == $0.1 })
        #expect(dataset.test.image(3) == DSpritesTests.render(test[3]) && dataset.train.image(123_456) == DSpritesTests.render(123_456))
        // a batch is drawn on demand, normalised to 0 and 1
        let loader = BatchLoader(images: dataset.train, batchSize: 64, dropLast: true, shuffle: true, seed: 0, normalization: spec.normalization)
        loader.load(epoch: 0, index: 0)
        #expect(loader.batch.shape == [64, 1, 64, 64] && Set(loader.batch.values) == [0, 1])

        for key in ["path: /tmp", "image_size: 32", "channels: 3"] {
            let error = try #require(throws: SpecError.self) {
                try Experiment.parse("""
                    name: d
                    dataset: {name: dsprites, \(key)}
                    model: {kind: vae, latent: 10, encoder: [flatten, {linear: {out: 8}}, relu], decoder: mirror, output: sigmoid, likelihood: bce}
                    """, file: "d.yaml")
            }
            #expect(error.reason == .notApplicable && error.message.contains("dsprites") && error.location?.line == 2, "\(error.description)")
        }
    }
}
