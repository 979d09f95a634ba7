import CImageCodecs
import Foundation

/// torchvision's `ImageFolder`: each subfolder is a class (sorted by name), each PNG or JPEG
/// in it an image, decoded once, resized so that its short side is `size` and centre-cropped
/// to size×size (as the notebooks prepare CelebA), and kept as bytes.
///
/// With `train/` and `test/` subfolders, each is read as a split (with the same classes);
/// otherwise every image is training data and the test split is empty.
public enum ImageFolderReader {
    static let extensions: Set = ["png", "jpg", "jpeg"]

    /// Reads every image of `folder` into memory.
    public static func load(folder: String, size: Int) throws(DataError) -> Dataset {
        let listing = try ImageFolderListing(folder)
        var sets: [ImageSet] = []
        for split in listing.splits {
            var pixels: [UInt8] = [], labels: [Int32] = []
            let channels = try decode(split, size: size) { (image: [UInt8], label: Int32) throws(DataError) in
                pixels += image
                labels.append(label)
            }
            sets.append(ImageSet(imageShape: [channels, size, size], pixels: pixels, labels: labels))
        }
        return try dataset(sets, listing: listing)
    }

    /// The decoded cache's entry for `folder` at `size`: keyed by the folder, the size and
    /// every image file's size and modification time.
    public static func cacheSource(folder: String, size: Int) throws(DataError) -> DecodedCache.Source {
        let listing = try ImageFolderListing(folder)
        let place = SourceFiles.canonical(folder)
        return DecodedCache.Source(
            name: SourceFiles.entryName("image-folder", "\(size)", folder: place),
            folder: place,
            details: "image-folder size \(size) decoding \(DatasetLoader.decodingVersion) files \(try listing.fingerprint())",
            build: { (writer: RecordFileWriter) throws(DataError) in
                var counts: [Int] = [], shapes: [[Int]] = []
                for split in listing.splits {
                    var count = 0
                    let channels = try decode(split, size: size) { (image: [UInt8], label: Int32) throws(DataError) in
                        try writer.append(image, label: label)
                        count += 1
                    }
                    counts.append(count)
                    shapes.append([channels, size, size])
                }
                // the same checks as an in-memory read, on empty sets of the decoded shapes
                _ = try dataset(shapes.map { ImageSet(imageShape: $0, pixels: [], labels: []) }, listing: listing)
                try writer.finish(imageShape: shapes[0], trainCount: counts[0], classNames: listing.classNames)
            },
            decode: { () throws(DataError) in try load(folder: folder, size: size) })
    }

    /// The dataset of the splits' image sets (a training set, and a test set when the folder
    /// has one), checked against each other.
    static func dataset(_ sets: [ImageSet], listing: ImageFolderListing) throws(DataError) -> Dataset {
        if sets.count == 2 {
            guard sets[0].imageShape == sets[1].imageShape else {
                throw DataError(.mismatch, "training images have \(sets[0].imageShape[0]) channels but test images \(sets[1].imageShape[0])", path: listing.folder)
            }
            return Dataset(train: sets[0], test: sets[1], classNames: listing.classNames)
        }
        return Dataset(train: sets[0], test: ImageSet(imageShape: sets[0].imageShape, pixels: [], labels: []), classNames: listing.classNames)
    }

    /// Decodes the images of one split in order, resized so that the short side is `size`
    /// and centre-cropped, and hands each to `emit` with its label; returns their channels.
    static func decode(_ split: ImageFolderListing.Split, size: Int,
                       emit: ([UInt8], Int32) throws(DataError) -> Void) throws(DataError) -> Int {
        var channels: (count: Int, example: String)?
        for (path, label) in split.images {
            let image = try decode(path)
            if let channels, channels.count != image.channels {
                throw DataError(.mismatch, "has \(image.channels) channel(s) but \(channels.example) has \(channels.count): the images of a folder must all be grey or all RGB", path: path)
            }
            channels = channels ?? (image.channels, path)
            try emit(ImageResize.resizeAndCenterCrop(image, size: size), label)
        }
        guard let channels else {
            throw DataError(.missing, "no PNG or JPEG images in any class subfolder", path: split.folder)
        }
        return channels.count
    }

    /// Decodes one file into interleaved rows (height × width × channels).
    static func decode(_ path: String) throws(DataError) -> DecodedImage {
        var image = genlab_image()
        var message = [CChar](repeating: 0, count: 256)
        guard genlab_image_decode(path, &image, &message, message.count) == 0, let pixels = image.pixels else {
            let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw DataError(.corrupt, "cannot decode the image: \(text)", path: path)
        }
        defer { genlab_image_free(&image) }
        let count = Int(image.width) * Int(image.height) * Int(image.channels)
        return DecodedImage(width: Int(image.width), height: Int(image.height), channels: Int(image.channels),
                            pixels: Array(UnsafeBufferPointer(start: pixels, count: count)))
    }
}

/// A decoded image: interleaved rows (height × width × channels), top row first.
struct DecodedImage {
    var width: Int
    var height: Int
    var channels: Int
    var pixels: [UInt8]
}
