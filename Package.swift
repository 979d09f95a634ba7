// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "GenLab",
    products: [
        .executable(name: "genlab", targets: ["genlab"]),
        .library(name: "GenLabNN", targets: ["GenLabNN"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CHDF5",
            pkgConfig: "hdf5",
            providers: [.apt(["libhdf5-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "CImageCodecs",
            linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("jpeg")]
        ),
        .target(name: "CCPUFeatures"),
        .target(
            name: "CKernels",
            dependencies: ["CCPUFeatures"],
            linkerSettings: [.linkedLibrary("dnnl"), .linkedLibrary("gomp"), .linkedLibrary("openblas")]
        ),
        .target(name: "GenLabCore", dependencies: ["Yams"]),
        .target(name: "GenLabTensor", dependencies: ["COpenBLAS", "CCPUFeatures", "CKernels"]),
        .target(name: "GenLabNN", dependencies: ["GenLabTensor", "GenLabCore", "CKernels"]),
        .target(name: "GenLabSpec", dependencies: ["GenLabNN", "GenLabCore"]),
        .target(name: "GenLabModels", dependencies: ["GenLabNN", "GenLabSpec"]),
        .target(name: "GenLabStore", dependencies: ["CHDF5", "GenLabCore"]),
        .target(name: "GenLabData", dependencies: ["GenLabTensor", "GenLabSpec", "GenLabCore", "CZlib", "CImageCodecs"]),
        // above the models: the results folder, then one module per job (see docs/design.md)
        .target(name: "GenLabResults", dependencies: ["GenLabModels", "GenLabStore", "GenLabData", "GenLabSpec"]),
        .target(name: "GenLabTraining", dependencies: ["GenLabResults"]),
        .target(name: "GenLabAnalysis", dependencies: ["GenLabResults"]),
        .target(name: "GenLabReport", dependencies: ["GenLabAnalysis", "GenLabResults"]),
        .target(name: "GenLabTensorBoard", dependencies: ["GenLabAnalysis", "GenLabResults"]),
        .target(name: "GenLabSweeps", dependencies: ["GenLabTraining", "GenLabAnalysis", "GenLabReport", "GenLabResults", "GenLabTensorBoard"]),
        .executableTarget(
            name: "genlab",
            dependencies: [
                "GenLabSweeps", "GenLabTraining", "GenLabAnalysis", "GenLabReport", "GenLabResults",
                "GenLabModels", "GenLabSpec", "GenLabStore", "GenLabData", "GenLabTensorBoard",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "GenLabTestSupport", dependencies: ["GenLabCore", "GenLabNN"], path: "Tests/GenLabTestSupport"),
        .executableTarget(name: "checkpoint-writer", dependencies: ["GenLabStore"], path: "Tests/CheckpointWriter"),
        .testTarget(name: "GenLabTensorTests", dependencies: ["GenLabTensor", "CKernels"]),
        .testTarget(name: "GenLabNNTests", dependencies: ["GenLabNN", "GenLabTensor", "GenLabTestSupport"]),
        .testTarget(name: "GenLabSpecTests", dependencies: ["GenLabSpec", "GenLabTestSupport"]),
        .testTarget(name: "GenLabDataTests", dependencies: ["GenLabData", "CZlib", "CImageCodecs", "GenLabTestSupport"]),
        .testTarget(name: "GenLabModelsTests", dependencies: ["GenLabModels", "GenLabTestSupport"]),
        .testTarget(name: "GenLabStoreTests", dependencies: ["GenLabCore", "GenLabStore", "GenLabTestSupport"]),
        .testTarget(
            name: "GenLabRunnerTests",
            dependencies: ["GenLabSweeps", "GenLabTraining", "GenLabAnalysis", "GenLabReport", "GenLabResults",
                           "GenLabCore", "GenLabTensorBoard", "GenLabTestSupport", "checkpoint-writer", "genlab"]
        ),
    ],
    swiftLanguageModes: [.v5]
)
