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

    public static func load(folder: String, size: Int) throws(DataError) -> Dataset {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        guard manager.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw DataError(.missing, "no such folder", path: folder)
        }
        let trainFolder = "\(folder)/train", testFolder = "\(folder)/test"
        if manager.fileExists(atPath: trainFolder), manager.fileExists(atPath: testFolder) {
            let (train, names) = try split(trainFolder, size: size, classNames: nil)
            let (test, _) = try split(testFolder, size: size, classNames: names)
            guard train.imageShape == test.imageShape else {
                throw DataError(.mismatch, "training images have \(train.imageShape[0]) channels but test images \(test.imageShape[0])", path: folder)
            }
            return Dataset(train: train, test: test, classNames: names)
        }
        let (train, names) = try split(folder, size: size, classNames: nil)
        return Dataset(train: train, test: ImageSet(imageShape: train.imageShape, pixels: [], labels: []), classNames: names)
    }

    static func subfolders(_ folder: String) throws(DataError) -> [String] {
        let manager = FileManager.default
        let entries: [String]
        do { entries = try manager.contentsOfDirectory(atPath: folder) } catch {
            throw DataError(.unreadable, "cannot list the folder", path: folder)
        }
        return entries.filter { name in
            var isFolder: ObjCBool = false
            return !name.hasPrefix(".") && manager.fileExists(atPath: "\(folder)/\(name)", isDirectory: &isFolder) && isFolder.boolValue
        }.sorted()
    }

    /// Reads one split; `classNames` (from the training split) fixes the label of each
    /// subfolder name.
    static func split(_ folder: String, size: Int, classNames: [String]?) throws(DataError) -> (ImageSet, [String]) {
        let classes = try subfolders(folder)
        guard !classes.isEmpty else {
            throw DataError(.missing, "no class subfolders: an image folder holds one subfolder of images per class", path: folder)
        }
        let names = classNames ?? classes
        var pixels: [UInt8] = []
        var labels: [Int32] = []
        var channels: (count: Int, example: String)?
        for name in classes {
            guard let label = names.firstIndex(of: name) else {
                throw DataError(.missing, "class '\(name)' does not exist in the training split", path: "\(folder)/\(name)")
            }
            let classFolder = "\(folder)/\(name)"
            let entries: [String]
            do {
                entries = try FileManager.default.contentsOfDirectory(atPath: classFolder)
            } catch {
                throw DataError.unreadable(classFolder, folder: true)
            }
            let files = entries
                .filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
            for file in files {
                let path = "\(classFolder)/\(file)"
                let image = try decode(path)
                if let channels, channels.count != image.channels {
                    throw DataError(.mismatch, "has \(image.channels) channel(s) but \(channels.example) has \(channels.count): the images of a folder must all be grey or all RGB", path: path)
                }
                channels = channels ?? (image.channels, path)
                pixels.append(contentsOf: ImageResize.resizeAndCenterCrop(image, size: size))
                labels.append(Int32(label))
            }
        }
        guard let channels else {
            throw DataError(.missing, "no PNG or JPEG images in any class subfolder", path: folder)
        }
        return (ImageSet(imageShape: [channels.count, size, size], pixels: pixels, labels: labels), names)
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
