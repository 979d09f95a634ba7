import Foundation

/// The image files of an image folder in the order `ImageFolderReader` reads them, with their
/// labels: class subfolders sorted by name, the PNG and JPEG files of each sorted by name; a
/// `train/` and a `test/` subfolder are two splits with the training split's classes.
struct ImageFolderListing {
    /// One split's images.
    struct Split {
        var folder: String
        /// Every image file with its label, class after class.
        var images: [(path: String, label: Int32)]
    }

    /// The folder as given.
    let folder: String
    /// The training split, then the test split when the folder has one.
    var splits: [Split]
    /// The training split's class subfolders; labels index them.
    var classNames: [String]

    init(_ folder: String) throws(DataError) {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        guard manager.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw DataError(.missing, "no such folder", path: folder)
        }
        self.folder = folder
        let trainFolder = "\(folder)/train", testFolder = "\(folder)/test"
        if manager.fileExists(atPath: trainFolder), manager.fileExists(atPath: testFolder) {
            let train = try ImageFolderListing.split(trainFolder, classNames: nil)
            let test = try ImageFolderListing.split(testFolder, classNames: train.names)
            splits = [train.split, test.split]
            classNames = train.names
        } else {
            let train = try ImageFolderListing.split(folder, classNames: nil)
            splits = [train.split]
            classNames = train.names
        }
    }

    /// The count and hash of the image files (`SourceFiles.fingerprint`).
    func fingerprint() throws(DataError) -> String {
        try SourceFiles.fingerprint(splits.flatMap { $0.images.map(\.path) }, below: folder)
    }

    /// One split: its class subfolders (labelled by their place in `classNames`, the training
    /// split's, when given) and their image files.
    private static func split(_ folder: String, classNames: [String]?) throws(DataError) -> (split: Split, names: [String]) {
        let classes = try subfolders(folder)
        guard !classes.isEmpty else {
            throw DataError(.missing, "no class subfolders: an image folder holds one subfolder of images per class", path: folder)
        }
        let names = classNames ?? classes
        var images: [(path: String, label: Int32)] = []
        for name in classes {
            guard let label = names.firstIndex(of: name) else {
                throw DataError(.missing, "class '\(name)' does not exist in the training split", path: "\(folder)/\(name)")
            }
            let classFolder = "\(folder)/\(name)"
            let entries: [String]
            do { entries = try FileManager.default.contentsOfDirectory(atPath: classFolder) } catch {
                throw DataError.unreadable(classFolder, folder: true)
            }
            for file in entries.filter(isImage).sorted() {
                images.append(("\(classFolder)/\(file)", Int32(label)))
            }
        }
        return (Split(folder: folder, images: images), names)
    }

    /// Whether a file name's extension (`NSString.pathExtension`'s: after the last dot, none
    /// when that dot begins the name) is PNG's or JPEG's, in any case. (Foundation's own
    /// `pathExtension` took 12 % of a cached start on 200,000 files.)
    static func isImage(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return false }
        return ImageFolderReader.extensions.contains(name[name.index(after: dot)...].lowercased())
    }

    private static func subfolders(_ folder: String) throws(DataError) -> [String] {
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
}
