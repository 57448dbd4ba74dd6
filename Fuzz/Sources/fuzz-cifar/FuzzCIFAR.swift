// CIFAR binary batches (Data/CIFARBatches.swift). Input: byte 0 picks the variant (CIFAR-10, CIFAR-100 fine or
// coarse labels), byte 1 the number of class names written beside the batch, the rest is the batch file.
@testable import Embeval
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCIFAR(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = FuzzInput.bytes(data, size)
    guard bytes.count >= 2 else { return 0 }
    let (variant, label): (CIFARBatches.Variant, String) =
        [(.cifar10, "label"), (.cifar100, "fine_label"), (.cifar100, "coarse_label")][Int(bytes[0]) % 3]
    let names = (0..<Int(bytes[1])).map { "class \($0)" }.joined(separator: "\n")
    for file in ["batches.meta.txt", "fine_label_names.txt", "coarse_label_names.txt"] {
        _ = FuzzInput.file(file, Array(names.utf8))
    }
    _ = FuzzInput.file(variant == .cifar10 ? "test_batch.bin" : "test.bin", Array(bytes[2...]))
    _ = try? CIFARBatches.load(variant, directory: FuzzInput.folder, split: "test", label: label, name: "fuzz")
    return 0
}
