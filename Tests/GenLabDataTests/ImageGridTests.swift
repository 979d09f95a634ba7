import CImageCodecs
import Foundation
import GenLabData
import GenLabTestSupport
import Testing

/// Image grids from stored records: every shape that is not N × C × H × W with C 1 or 3 (or
/// makes a picture beyond `maxPixels`) is an error, never a trap; a good grid's PNG decodes
/// back to its pixels; writing one replaces a planted link instead of writing through it.
@Suite struct ImageGridTests {
    @Test(arguments: [
        [4, 2, 28, 28], [0, 1, 28, 28], [16], [4, 1, 1, 28, 28], [4, 1, 0, 28], [-1, 1, 28, 28],
        [1, 1, 1 << 15, 1 << 15], [1 << 20, 1, 64, 64], [2, 1, Int.max / 2, 4],
    ])
    func oddShapesAreErrors(_ shape: [Int]) {
        // as many values as the shape says where that is small, else a few
        let product = shape.allSatisfy { $0 >= 0 && $0 < 1 << 20 } ? shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue } : 0
        let count = (1...(1 << 22)).contains(product) ? product : 4
        #expect(throws: DataError.self) { try ImageGrid(images: [Float](repeating: 0.5, count: count), shape: shape, columns: 8) }
    }

    @Test func valuesThatDoNotMatchTheShapeAreAnError() {
        #expect(throws: DataError.self) { try ImageGrid(images: [0, 1, 2], shape: [1, 1, 2, 2], columns: 1) }
        #expect(throws: DataError.self) { try ImageGrid(images: [0, 1, 2, 3], shape: [1, 1, 2, 2], columns: 0) }
    }

    /// Two 2×3 grey images side by side, padding 1 of value 0: the PNG holds exactly
    /// torchvision's bytes (x·255 + 0.5, truncated).
    @Test func thePNGHoldsTheGrid() throws {
        let images: [Float] = [0, 0.5, 1, 0.25, 0.75, 2, -1, 0.1, 0.2, 0.3, 0.4, 0.6]
        let grid = try ImageGrid(images: images, shape: [2, 1, 2, 3], columns: 2, padding: 1, padValue: 0)
        #expect(grid.width == 9 && grid.height == 4 && grid.channels == 1)
        let path = try TestFolder.make("grid").appendingPathComponent("grid.png").path
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/nonexistent/target.png")
        try grid.writePNG(to: path)
        let type = try FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType
        #expect(type == .typeRegular)
        var decoded = genlab_image()
        var message = [CChar](repeating: 0, count: 256)
        try #require(genlab_image_decode(path, &decoded, &message, message.count) == 0)
        defer { genlab_image_free(&decoded) }
        let pixels = Array(UnsafeBufferPointer(start: decoded.pixels, count: Int(decoded.width * decoded.height)))
        let row1: [UInt8] = [0, 0, 128, 255, 0, 0, 26, 51, 0]
        let row2: [UInt8] = [0, 64, 191, 255, 0, 77, 102, 153, 0]
        #expect(pixels == [UInt8](repeating: 0, count: 9) + row1 + row2 + [UInt8](repeating: 0, count: 9), "\(pixels)")
    }
}
