// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Embeval",
    products: [
        .library(name: "Embeval", targets: ["Embeval"]),
        .executable(name: "embeval", targets: ["embeval"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Implementation details: C libraries behind small module maps / shims.
        .systemLibrary(name: "COnnxRuntime", path: "Sources/COnnxRuntime"),
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CSnappy", path: "Sources/CSnappy"),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd"),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto"),
        .target(name: "CFileSystem", path: "Sources/CFileSystem"),
        .target(
            name: "CImageCodecs",
            path: "Sources/CImageCodecs",
            linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("png16"), .linkedLibrary("webp"), .linkedLibrary("webpdemux")]
        ),

        // The numeric kernels: matrices, BLAS, the blocked neighbour search, parallel loops. Swift 5 language mode:
        // they share raw buffers between threads by design, and keep the code generation their timings were made with.
        .target(
            name: "EmbevalMath",
            dependencies: ["CBLAS"],
            path: "Sources/EmbevalMath",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),

        // Public API (it re-exports EmbevalMath's Matrix and friends).
        .target(
            name: "Embeval",
            dependencies: ["EmbevalMath", "COnnxRuntime", "CBLAS", "CZlib", "CSnappy", "CZstd", "CCrypto", "CImageCodecs", "CFileSystem"],
            path: "Sources/Embeval"
        ),
        .executableTarget(
            name: "embeval",
            dependencies: ["Embeval", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/embeval"
        ),

        // Tests.
        .testTarget(
            name: "EmbevalTests",
            dependencies: ["Embeval", "EmbevalMath"],
            path: "Tests/EmbevalTests",
            resources: [.copy("Fixtures")]
        ),
    ],
    // Swift 6 language mode, strict concurrency, everywhere but EmbevalMath; all code reaches threads through `Parallel`.
    swiftLanguageModes: [.v6]
)
