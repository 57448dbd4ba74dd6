# Shared by Fuzz/run and Fuzz/replay (sourced): targets, limits, sanitizer settings, dictionaries.
# shellcheck shell=bash
ALL_TARGETS=(npy idx cifar manifest tokenizer sentencepiece preprocessor modelconfig savedmap expectations image parquet thrift arrow tar brace onnxgraph set prompts dataset partial)
# A huge allocation or a hang is a finding, not a dead machine.
LIMITS=(-rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10)
# Reports that are not leaks in Embeval (inside Foundation; the prompts target's global): see Fuzz/lsan.supp.
export LSAN_OPTIONS="suppressions=$PWD/Fuzz/lsan.supp:print_suppressions=0"
# Swift's crash backtracer would run first and trip ASan itself; libFuzzer prints the stack instead.
export SWIFT_BACKTRACE=enable=no

# The -dict flag of a target, if it has a dictionary.
dictionary() {
  case $1 in
    npy) echo "-dict=Fuzz/Dictionaries/npy.dict" ;;
    tokenizer | preprocessor | modelconfig | savedmap | expectations | manifest) echo "-dict=Fuzz/Dictionaries/json.dict" ;;
    parquet | thrift) echo "-dict=Fuzz/Dictionaries/parquet.dict" ;;
    arrow) echo "-dict=Fuzz/Dictionaries/arrow.dict" ;;
    tar) echo "-dict=Fuzz/Dictionaries/tar.dict" ;;
    brace) echo "-dict=Fuzz/Dictionaries/brace.dict" ;;
    set) echo "-dict=Fuzz/Dictionaries/set.dict" ;;
    prompts) echo "-dict=Fuzz/Dictionaries/prompts.dict" ;;
    dataset) echo "-dict=Fuzz/Dictionaries/dataset.dict" ;;
    partial) echo "-dict=Fuzz/Dictionaries/partial.dict" ;;
  esac
}
