import CHDF5

/// Datasets: whole arrays written once, 1-D arrays appended to, and reading back.
extension HDF5File {
    /// Writes `values` with `shape` as a new dataset (replacing none: the path must be new).
    /// Arrays of more than 1,024 values are chunked and compressed (shuffle + deflate) when
    /// `compressed`: worth it for images, not for weights (deflate runs at about 30 MB/s and
    /// saves a fifth of float32 weights).
    public func write<T: HDF5Element>(_ values: [T], shape: [Int], at datasetPath: String, compressed: Bool = true) throws(HDF5Error) {
        guard shape.reduce(1, *) == values.count else {
            throw HDF5Error(.invalidRecord, "\(values.count) values do not fill a dataset of shape \(shape) at \(datasetPath)", path: path)
        }
        try create(datasetPath, type: T.self, shape: shape, chunk: compressed && values.count > 1024 ? shape : nil,
                   unlimited: false) { dataset throws(HDF5Error) in
            try writeAll(values, to: dataset, datasetPath)
        }
    }

    /// Creates an empty 1-D dataset that grows by `append`, chunked and compressed.
    public func createAppendable<T: HDF5Element>(_ type: T.Type, at datasetPath: String, chunk: Int = 1024) throws(HDF5Error) {
        try create(datasetPath, type: T.self, shape: [0], chunk: [chunk], unlimited: true) { _ throws(HDF5Error) in }
    }

    /// Appends `values` to a 1-D dataset made by `createAppendable`.
    public func append<T: HDF5Element>(_ values: [T], to datasetPath: String) throws(HDF5Error) {
        guard !values.isEmpty else { return }
        try withObject(datasetPath) { dataset throws(HDF5Error) in
            let old = try dimensions(dataset, datasetPath)
            guard old.count == 1 else { throw HDF5Error(.damaged, "\(datasetPath) is not one-dimensional", path: path) }
            var newSize = [hsize_t(old[0] + values.count)]
            try HDF5Library.check(H5Dset_extent(dataset, &newSize), "cannot extend \(datasetPath)", path: path)
            let fileSpace = H5Dget_space(dataset)
            defer { H5Sclose(fileSpace) }
            var start = [hsize_t(old[0])], count = [hsize_t(values.count)]
            try HDF5Library.check(H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &start, nil, &count, nil),
                                  "cannot select the end of \(datasetPath)", path: path)
            let memorySpace = H5Screate_simple(1, &count, nil)
            defer { H5Sclose(memorySpace) }
            try HDF5Library.check(values.withUnsafeBytes { H5Dwrite(dataset, T.nativeType, memorySpace, fileSpace, genlab_H5P_DEFAULT(), $0.baseAddress) },
                                  "cannot append to \(datasetPath)", path: path)
        }
    }

    /// The shape of the dataset at `datasetPath`.
    public func shape(of datasetPath: String) throws(HDF5Error) -> [Int] {
        try withObject(datasetPath) { dataset throws(HDF5Error) in try dimensions(dataset, datasetPath) }
    }

    /// Whether the dataset at `datasetPath` stores integers (rather than floating point).
    public func storesIntegers(_ datasetPath: String) throws(HDF5Error) -> Bool {
        try withObject(datasetPath) { dataset throws(HDF5Error) in
            let type = try HDF5Library.valid(H5Dget_type(dataset), "cannot read the type of \(datasetPath)", path: path)
            defer { H5Tclose(type) }
            return H5Tget_class(type) == H5T_INTEGER
        }
    }

    /// The most values GenLab reads from one dataset (2³¹: 8 GiB of floats).
    public static let maxValues = 1 << 31
    /// The most a stored byte expands to: deflate's largest ratio is 1032 : 1.
    static let maxExpansion = 1032

    /// Reads the whole dataset at `datasetPath`, converted to `T`. A dataset that claims more
    /// values than `maxValues`, or than its stored bytes can hold even compressed, is
    /// `.damaged` before anything is allocated.
    public func read<T: HDF5Element>(_ type: T.Type, at datasetPath: String) throws(HDF5Error) -> (shape: [Int], values: [T]) {
        try withObject(datasetPath) { dataset throws(HDF5Error) in
            guard H5Iget_type(dataset) == H5I_DATASET else { throw HDF5Error(.damaged, "\(datasetPath) is not a dataset", path: path) }
            let shape = try dimensions(dataset, datasetPath)
            let count = try plausibleCount(dataset, shape, datasetPath)
            var values = [T](repeating: 0, count: count)
            if !values.isEmpty {
                try HDF5Library.check(values.withUnsafeMutableBytes {
                    H5Dread(dataset, T.nativeType, genlab_H5S_ALL(), genlab_H5S_ALL(), genlab_H5P_DEFAULT(), $0.baseAddress)
                }, "cannot read \(datasetPath) as \(T.self)", path: path)
            }
            return (shape, values)
        }
    }

    /// The number of values of `shape`, checked against `maxValues` and the dataset's storage.
    /// The product of its nonzero sizes is checked too, so that no product of some of its
    /// sizes (the values per image of no images) overflows.
    private func plausibleCount(_ dataset: hid_t, _ shape: [Int], _ datasetPath: String) throws(HDF5Error) -> Int {
        var nonzero = 1
        for size in shape {
            let (product, overflow) = nonzero.multipliedReportingOverflow(by: max(size, 1))
            guard !overflow, size >= 0, product <= HDF5File.maxValues else {
                throw HDF5Error(.damaged, "\(datasetPath) claims a shape of \(shape), more than the \(HDF5File.maxValues) values GenLab reads from one dataset", path: path)
            }
            nonzero = product
        }
        let count = shape.contains(0) ? 0 : nonzero
        let type = H5Dget_type(dataset)
        let width = type >= 0 ? H5Tget_size(type) : 8
        if type >= 0 { H5Tclose(type) }
        let stored = Int(H5Dget_storage_size(dataset))
        guard count * max(width, 1) <= stored * HDF5File.maxExpansion + 65_536 else {
            throw HDF5Error(.damaged, "\(datasetPath) claims a shape of \(shape) but stores only \(stored) bytes (damaged?)", path: path)
        }
        return count
    }

    private func dimensions(_ dataset: hid_t, _ datasetPath: String) throws(HDF5Error) -> [Int] {
        let space = try HDF5Library.valid(H5Dget_space(dataset), "cannot read the shape of \(datasetPath)", path: path)
        defer { H5Sclose(space) }
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank >= 0 else { throw HDF5Error(.damaged, "cannot read the shape of \(datasetPath)" + HDF5Library.takeErrorStack(), path: path) }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        H5Sget_simple_extent_dims(space, &dims, nil)
        return dims.map { Int(clamping: $0) }
    }

    private func writeAll<T: HDF5Element>(_ values: [T], to dataset: hid_t, _ datasetPath: String) throws(HDF5Error) {
        guard !values.isEmpty else { return }
        try HDF5Library.check(values.withUnsafeBytes {
            H5Dwrite(dataset, T.nativeType, genlab_H5S_ALL(), genlab_H5S_ALL(), genlab_H5P_DEFAULT(), $0.baseAddress)
        }, "cannot write \(datasetPath) (disk full?)", path: path)
    }

    private func create<T: HDF5Element>(_ datasetPath: String, type: T.Type, shape: [Int], chunk: [Int]?, unlimited: Bool,
                                        _ body: (hid_t) throws(HDF5Error) -> Void) throws(HDF5Error) {
        try HDF5Library.locked { () throws(HDF5Error) in
            var dims = shape.map { hsize_t($0) }
            var maxDims = unlimited ? shape.map { _ in genlab_H5S_UNLIMITED() } : dims
            let space = try HDF5Library.valid(H5Screate_simple(Int32(shape.count), &dims, &maxDims),
                                              "cannot describe the shape \(shape) of \(datasetPath)", path: path)
            defer { H5Sclose(space) }
            let properties = try HDF5Library.valid(H5Pcreate(genlab_H5P_DATASET_CREATE()), "cannot create a property list", path: path)
            defer { H5Pclose(properties) }
            if let chunk, chunk.allSatisfy({ $0 > 0 }) {
                var chunkDims = chunk.map { hsize_t($0) }
                try HDF5Library.check(H5Pset_chunk(properties, Int32(chunk.count), &chunkDims), "cannot chunk \(datasetPath)", path: path)
                H5Pset_shuffle(properties)
                H5Pset_deflate(properties, 4)
            }
            let dataset = try HDF5Library.valid(
                H5Dcreate2(id, datasetPath, T.nativeType, space, try linkCreation(), properties, genlab_H5P_DEFAULT()),
                "cannot create dataset \(datasetPath)", path: path)
            defer { H5Dclose(dataset) }
            try body(dataset)
        }
    }
}
