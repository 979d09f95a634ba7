import CHDF5

/// Attributes: variable-length UTF-8 strings (h5py reads them as `str`) and numbers (64-bit
/// integers, doubles).
extension HDF5File {
    /// Sets a string attribute on the object at `objectPath` ("/" for the root), replacing
    /// any attribute of that name.
    public func setAttribute(_ name: String, _ value: String, on objectPath: String = "/") throws(HDF5Error) {
        try withObject(objectPath) { object throws(HDF5Error) in
            let type = try stringType()
            defer { H5Tclose(type) }
            try replaceAttribute(name, on: object, type: type, objectPath) { attribute throws(HDF5Error) in
                let status = value.withCString { pointer -> herr_t in
                    var pointers: [UnsafePointer<CChar>?] = [pointer]
                    return H5Awrite(attribute, type, &pointers)
                }
                try HDF5Library.check(status, "cannot write attribute \(name)", path: path)
            }
        }
    }

    /// Sets a number attribute (an Int64, a Double).
    public func setAttribute<T: HDF5Element>(_ name: String, _ value: T, on objectPath: String = "/") throws(HDF5Error) {
        try withObject(objectPath) { object throws(HDF5Error) in
            try replaceAttribute(name, on: object, type: T.nativeType, objectPath) { attribute throws(HDF5Error) in
                var v = value
                try HDF5Library.check(H5Awrite(attribute, T.nativeType, &v), "cannot write attribute \(name)", path: path)
            }
        }
    }

    /// The string attribute `name` of the object at `objectPath`, or nil if it has none.
    public func stringAttribute(_ name: String, on objectPath: String = "/") throws(HDF5Error) -> String? {
        try withObject(objectPath) { object throws(HDF5Error) -> String? in
            guard H5Aexists(object, name) > 0 else { return nil }
            let attribute = try HDF5Library.valid(H5Aopen(object, name, genlab_H5P_DEFAULT()), "cannot open attribute \(name)", path: path)
            defer { H5Aclose(attribute) }
            try requireOneValue(attribute, name)
            let stored = H5Aget_type(attribute)
            defer { H5Tclose(stored) }
            guard H5Tget_class(stored) == H5T_STRING else { throw HDF5Error(.damaged, "attribute \(name) is not a string", path: path) }
            if H5Tis_variable_str(stored) > 0 {
                let type = try stringType()
                defer { H5Tclose(type) }
                var pointer: UnsafeMutablePointer<CChar>?
                try HDF5Library.check(H5Aread(attribute, type, &pointer), "cannot read attribute \(name)", path: path)
                defer { H5free_memory(pointer) }
                return pointer.map { String(cString: $0) } ?? ""
            }
            let size = H5Tget_size(stored)
            guard size <= 16 << 20 else { throw HDF5Error(.damaged, "attribute \(name) claims a string of \(size) bytes", path: path) }
            var buffer = [CChar](repeating: 0, count: size + 1)
            try HDF5Library.check(H5Aread(attribute, stored, &buffer), "cannot read attribute \(name)", path: path)
            return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        }
    }

    /// The integer attribute `name`, or nil if it has none.
    public func intAttribute(_ name: String, on objectPath: String = "/") throws(HDF5Error) -> Int64? {
        try numberAttribute(name, on: objectPath, as: Int64.self)
    }

    /// The double attribute `name` (any number type, converted), or nil if it has none.
    public func doubleAttribute(_ name: String, on objectPath: String = "/") throws(HDF5Error) -> Double? {
        try numberAttribute(name, on: objectPath, as: Double.self)
    }

    /// The number attribute `name` read as `T` (HDF5 converts), or nil if it has none.
    private func numberAttribute<T: HDF5Element>(_ name: String, on objectPath: String, as type: T.Type) throws(HDF5Error) -> T? {
        try withObject(objectPath) { object throws(HDF5Error) -> T? in
            guard H5Aexists(object, name) > 0 else { return nil }
            let attribute = try HDF5Library.valid(H5Aopen(object, name, genlab_H5P_DEFAULT()), "cannot open attribute \(name)", path: path)
            defer { H5Aclose(attribute) }
            try requireOneValue(attribute, name)
            var value: T = 0
            try HDF5Library.check(H5Aread(attribute, T.nativeType, &value), "attribute \(name) is not \(T.self == Int64.self ? "an integer" : "a number")", path: path)
            return value
        }
    }

    /// Throws unless `attribute` holds exactly one value (GenLab's attributes are scalars; a
    /// read of an array into one value would write past it).
    private func requireOneValue(_ attribute: hid_t, _ name: String) throws(HDF5Error) {
        let space = H5Aget_space(attribute)
        defer { if space >= 0 { H5Sclose(space) } }
        guard space >= 0, H5Sget_simple_extent_npoints(space) == 1 else {
            throw HDF5Error(.damaged, "attribute \(name) is not a single value", path: path)
        }
    }

    /// Whether the attribute `name` holds an integer.
    public func attributeIsInteger(_ name: String, on objectPath: String = "/") throws(HDF5Error) -> Bool {
        try withObject(objectPath) { object throws(HDF5Error) -> Bool in
            guard H5Aexists(object, name) > 0 else { return false }
            let attribute = try HDF5Library.valid(H5Aopen(object, name, genlab_H5P_DEFAULT()), "cannot open attribute \(name)", path: path)
            defer { H5Aclose(attribute) }
            let type = H5Aget_type(attribute)
            defer { H5Tclose(type) }
            return H5Tget_class(type) == H5T_INTEGER
        }
    }

    /// The names of the attributes of the object at `objectPath`, sorted.
    public func attributeNames(on objectPath: String = "/") throws(HDF5Error) -> [String] {
        try withObject(objectPath) { object throws(HDF5Error) -> [String] in
            let count = H5Aget_num_attrs(object)
            guard count >= 0 else { throw HDF5Error(.damaged, "cannot count the attributes of \(objectPath)", path: path) }
            var names: [String] = []
            for index in 0..<hsize_t(count) {
                let length = H5Aget_name_by_idx(object, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, genlab_H5P_DEFAULT())
                guard length >= 0 else { throw HDF5Error(.damaged, "cannot read an attribute name of \(objectPath)", path: path) }
                var buffer = [CChar](repeating: 0, count: Int(length) + 1)
                _ = H5Aget_name_by_idx(object, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, genlab_H5P_DEFAULT())
                names.append(buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
            }
            return names
        }
    }

    /// A variable-length, UTF-8 string type (close it after use).
    private func stringType() throws(HDF5Error) -> hid_t {
        let type = try HDF5Library.valid(H5Tcopy(genlab_H5T_C_S1()), "cannot make a string type", path: path)
        H5Tset_size(type, genlab_H5T_VARIABLE())
        H5Tset_cset(type, H5T_CSET_UTF8)
        return type
    }

    private func replaceAttribute(_ name: String, on object: hid_t, type: hid_t, _ objectPath: String,
                                  _ write: (hid_t) throws(HDF5Error) -> Void) throws(HDF5Error) {
        if H5Aexists(object, name) > 0 {
            try HDF5Library.check(H5Adelete(object, name), "cannot replace attribute \(name) of \(objectPath)", path: path)
        }
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        let attribute = try HDF5Library.valid(H5Acreate2(object, name, type, space, genlab_H5P_DEFAULT(), genlab_H5P_DEFAULT()),
                                              "cannot create attribute \(name) on \(objectPath)", path: path)
        defer { H5Aclose(attribute) }
        try write(attribute)
    }
}
