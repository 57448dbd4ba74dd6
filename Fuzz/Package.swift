// swift-tools-version: 6.0
// libFuzzer targets for Embeval's parsers: one executable per parser, each defining LLVMFuzzerTestOneInput.
// A package of its own so the main package's `swift build` / `swift test` never see it. Built by Fuzz/build (debug,
// -sanitize=fuzzer,address, scratch path .build-fuzz) and run by `make fuzz`; see docs/fuzzing.md.
import PackageDescription

let targets = [
    "npy", "idx", "cifar", "manifest", "tokenizer", "sentencepiece",
    "preprocessor", "modelconfig", "savedmap", "expectations", "image", "parquet", "thrift", "arrow", "tar", "brace", "onnxgraph", "set", "prompts", "dataset", "partial",
]

let package = Package(
    name: "EmbevalFuzz",
    dependencies: [.package(name: "Embeval", path: "..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "Embeval", package: "Embeval")], path: "Sources/FuzzSupport"),
    ] + targets.map { name in
        // No `main`: libFuzzer's runtime provides it and calls LLVMFuzzerTestOneInput.
        .executableTarget(
            name: "fuzz-\(name)",
            dependencies: ["FuzzSupport", .product(name: "Embeval", package: "Embeval")],
            path: "Sources/fuzz-\(name)",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    },
    swiftLanguageModes: [.v6]
)
