// Embeval's own declarations of the part of the ONNX Runtime C ABI that the Runtime layer calls.
//
// Written for Embeval from the documented facts of the ABI (entry point, table layout, enum values); it is not the
// official header. The library is dlopen'ed at run time, so nothing here is linked: Swift only needs the layouts.
//
// The function table (EmbevalOrtApi) is append-only upstream: every slot keeps its index forever. We declare the
// slots in order up to the last one we call; slots we never call are `void *` placeholders named after their index.
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The table version we request from GetApi. Every slot declared below exists since this version, and any newer
/// runtime (1.32 serves versions 1...32) returns a table whose first slots are laid out identically.
#define EMBEVAL_ORT_API_VERSION 13

// MARK: - Opaque handles (never dereferenced on our side)

typedef struct OrtEnv OrtEnv;
typedef struct OrtStatus OrtStatus;
typedef struct OrtMemoryInfo OrtMemoryInfo;
typedef struct OrtSession OrtSession;
typedef struct OrtValue OrtValue;
typedef struct OrtRunOptions OrtRunOptions;
typedef struct OrtTypeInfo OrtTypeInfo;
typedef struct OrtTensorTypeAndShapeInfo OrtTensorTypeAndShapeInfo;
typedef struct OrtSessionOptions OrtSessionOptions;
/// An allocator object; we only ever pass the runtime's default one back to it.
typedef struct OrtAllocator OrtAllocator;

// MARK: - Enumerations (numeric values are part of the ABI)

/// Element type of a tensor; the values follow ONNX's TensorProto.DataType.
typedef enum ONNXTensorElementDataType {
    ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED = 0,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT = 1,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 = 2,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 = 3,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16 = 4,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 = 5,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 = 6,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 = 7,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING = 8,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL = 9,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 = 10,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE = 11,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32 = 12,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64 = 13,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_COMPLEX64 = 14,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_COMPLEX128 = 15,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16 = 16
} ONNXTensorElementDataType;

/// Kind of value behind a graph input/output (we only handle tensors).
typedef enum ONNXType {
    ONNX_TYPE_UNKNOWN = 0,
    ONNX_TYPE_TENSOR = 1,
    ONNX_TYPE_SEQUENCE = 2,
    ONNX_TYPE_MAP = 3,
    ONNX_TYPE_OPAQUE = 4,
    ONNX_TYPE_SPARSETENSOR = 5,
    ONNX_TYPE_OPTIONAL = 6
} ONNXType;

/// Minimum severity of the runtime's own log messages.
typedef enum OrtLoggingLevel {
    ORT_LOGGING_LEVEL_VERBOSE = 0,
    ORT_LOGGING_LEVEL_INFO = 1,
    ORT_LOGGING_LEVEL_WARNING = 2,
    ORT_LOGGING_LEVEL_ERROR = 3,
    ORT_LOGGING_LEVEL_FATAL = 4
} OrtLoggingLevel;

/// Code carried by a failed OrtStatus.
typedef enum OrtErrorCode {
    ORT_OK = 0,
    ORT_FAIL = 1,
    ORT_INVALID_ARGUMENT = 2,
    ORT_NO_SUCHFILE = 3,
    ORT_NO_MODEL = 4,
    ORT_ENGINE_ERROR = 5,
    ORT_RUNTIME_EXCEPTION = 6,
    ORT_INVALID_PROTOBUF = 7,
    ORT_MODEL_LOADED = 8,
    ORT_NOT_IMPLEMENTED = 9,
    ORT_INVALID_GRAPH = 10,
    ORT_EP_FAIL = 11
} OrtErrorCode;

/// How much graph rewriting the session does at load time (Python's default is ORT_ENABLE_ALL).
typedef enum GraphOptimizationLevel {
    ORT_DISABLE_ALL = 0,
    ORT_ENABLE_BASIC = 1,
    ORT_ENABLE_EXTENDED = 2,
    ORT_ENABLE_ALL = 99
} GraphOptimizationLevel;

/// Allocator flavour named in a memory description.
typedef enum OrtAllocatorType {
    OrtInvalidAllocator = -1,
    OrtDeviceAllocator = 0,
    OrtArenaAllocator = 1
} OrtAllocatorType;

/// Memory kind named in a memory description (CPU code only uses the default).
typedef enum OrtMemType {
    OrtMemTypeCPUInput = -2,
    OrtMemTypeCPUOutput = -1,
    OrtMemTypeDefault = 0
} OrtMemType;

// MARK: - Entry point

/// Table of function pointers returned by GetApi. NULL status pointers mean success.
typedef struct EmbevalOrtApi EmbevalOrtApi;

/// What `OrtGetApiBase` returns: the way to the versioned function table, and the library's version string.
typedef struct EmbevalOrtApiBase {
    const EmbevalOrtApi *(*GetApi)(uint32_t version);
    const char *(*GetVersionString)(void);
} EmbevalOrtApiBase;

/// Signature of the single symbol we resolve with dlsym ("OrtGetApiBase").
typedef const EmbevalOrtApiBase *(*EmbevalOrtGetApiBaseFn)(void);

// MARK: - The function table, slots 0...130

struct EmbevalOrtApi {
    /* 0 */ OrtStatus *(*CreateStatus)(OrtErrorCode code, const char *message);
    /* 1 */ OrtErrorCode (*GetErrorCode)(const OrtStatus *status);
    /* 2 */ const char *(*GetErrorMessage)(const OrtStatus *status);
    /* 3 */ OrtStatus *(*CreateEnv)(OrtLoggingLevel level, const char *log_id, OrtEnv **out);
    /* 4 */ void *unused4;   // env with a custom logger
    /* 5 */ void *unused5;   // telemetry on
    /* 6 */ void *unused6;   // telemetry off
    /* 7 */ OrtStatus *(*CreateSession)(const OrtEnv *env, const char *model_path,
                                        const OrtSessionOptions *options, OrtSession **out);
    /* 8 */ OrtStatus *(*CreateSessionFromArray)(const OrtEnv *env, const void *model_data, size_t model_data_length,
                                                 const OrtSessionOptions *options, OrtSession **out);
    /* 9 */ OrtStatus *(*Run)(OrtSession *session, const OrtRunOptions *run_options,
                              const char *const *input_names, const OrtValue *const *inputs, size_t input_count,
                              const char *const *output_names, size_t output_count, OrtValue **outputs);
    /* 10 */ OrtStatus *(*CreateSessionOptions)(OrtSessionOptions **out);
    /* 11 */ void *unused11;  // optimized model output path
    /* 12 */ void *unused12;  // clone options
    /* 13 */ void *unused13;  // execution mode
    /* 14 */ void *unused14;  // profiling on
    /* 15 */ void *unused15;  // profiling off
    /* 16 */ void *unused16;  // memory pattern on
    /* 17 */ void *unused17;  // memory pattern off
    /* 18 */ void *unused18;  // CPU arena on
    /* 19 */ void *unused19;  // CPU arena off
    /* 20 */ void *unused20;  // session log id
    /* 21 */ void *unused21;  // session log verbosity
    /* 22 */ void *unused22;  // session log severity
    /* 23 */ OrtStatus *(*SetSessionGraphOptimizationLevel)(OrtSessionOptions *options, GraphOptimizationLevel level);
    /* 24 */ OrtStatus *(*SetIntraOpNumThreads)(OrtSessionOptions *options, int threads);
    /* 25 */ OrtStatus *(*SetInterOpNumThreads)(OrtSessionOptions *options, int threads);
    /* 26 */ void *unused26;  // custom op domain: create
    /* 27 */ void *unused27;  // custom op domain: add op
    /* 28 */ void *unused28;  // options: add custom op domain
    /* 29 */ void *unused29;  // options: register custom op library
    /* 30 */ OrtStatus *(*SessionGetInputCount)(const OrtSession *session, size_t *out);
    /* 31 */ OrtStatus *(*SessionGetOutputCount)(const OrtSession *session, size_t *out);
    /* 32 */ void *unused32;  // overridable initializer count
    /* 33 */ OrtStatus *(*SessionGetInputTypeInfo)(const OrtSession *session, size_t index, OrtTypeInfo **out);
    /* 34 */ OrtStatus *(*SessionGetOutputTypeInfo)(const OrtSession *session, size_t index, OrtTypeInfo **out);
    /* 35 */ void *unused35;  // overridable initializer type info
    /* 36 */ OrtStatus *(*SessionGetInputName)(const OrtSession *session, size_t index, OrtAllocator *allocator,
                                               char **out);
    /* 37 */ OrtStatus *(*SessionGetOutputName)(const OrtSession *session, size_t index, OrtAllocator *allocator,
                                                char **out);
    /* 38 */ void *unused38;  // overridable initializer name
    /* 39 */ void *unused39;  // run options: create
    /* 40 */ void *unused40;  // run options: set verbosity
    /* 41 */ void *unused41;  // run options: set severity
    /* 42 */ void *unused42;  // run options: set tag
    /* 43 */ void *unused43;  // run options: get verbosity
    /* 44 */ void *unused44;  // run options: get severity
    /* 45 */ void *unused45;  // run options: get tag
    /* 46 */ void *unused46;  // run options: set terminate
    /* 47 */ void *unused47;  // run options: unset terminate
    /* 48 */ void *unused48;  // tensor allocated by the runtime
    /* 49 */ OrtStatus *(*CreateTensorWithDataAsOrtValue)(const OrtMemoryInfo *info, void *data, size_t byte_count,
                                                          const int64_t *shape, size_t rank,
                                                          ONNXTensorElementDataType type, OrtValue **out);
    /* 50 */ void *unused50;  // is-tensor query
    /* 51 */ OrtStatus *(*GetTensorMutableData)(OrtValue *value, void **out);
    /* 52 */ void *unused52;  // string tensor: fill
    /* 53 */ void *unused53;  // string tensor: total length
    /* 54 */ void *unused54;  // string tensor: content
    /* 55 */ OrtStatus *(*CastTypeInfoToTensorInfo)(const OrtTypeInfo *type_info,
                                                    const OrtTensorTypeAndShapeInfo **out);
    /* 56 */ OrtStatus *(*GetOnnxTypeFromTypeInfo)(const OrtTypeInfo *type_info, ONNXType *out);
    /* 57 */ void *unused57;  // shape info: create
    /* 58 */ void *unused58;  // shape info: set element type
    /* 59 */ void *unused59;  // shape info: set dimensions
    /* 60 */ OrtStatus *(*GetTensorElementType)(const OrtTensorTypeAndShapeInfo *info, ONNXTensorElementDataType *out);
    /* 61 */ OrtStatus *(*GetDimensionsCount)(const OrtTensorTypeAndShapeInfo *info, size_t *out);
    /* 62 */ OrtStatus *(*GetDimensions)(const OrtTensorTypeAndShapeInfo *info, int64_t *dims, size_t count);
    /* 63 */ OrtStatus *(*GetSymbolicDimensions)(const OrtTensorTypeAndShapeInfo *info, const char **names,
                                                 size_t count);
    /* 64 */ OrtStatus *(*GetTensorShapeElementCount)(const OrtTensorTypeAndShapeInfo *info, size_t *out);
    /* 65 */ OrtStatus *(*GetTensorTypeAndShape)(const OrtValue *value, OrtTensorTypeAndShapeInfo **out);
    /* 66 */ void *unused66;  // value: type info
    /* 67 */ void *unused67;  // value: ONNX type
    /* 68 */ void *unused68;  // memory info: general create
    /* 69 */ OrtStatus *(*CreateCpuMemoryInfo)(OrtAllocatorType allocator_type, OrtMemType mem_type,
                                               OrtMemoryInfo **out);
    /* 70 */ void *unused70;  // memory info: compare
    /* 71 */ void *unused71;  // memory info: name
    /* 72 */ void *unused72;  // memory info: id
    /* 73 */ void *unused73;  // memory info: mem type
    /* 74 */ void *unused74;  // memory info: allocator type
    /* 75 */ void *unused75;  // allocator: alloc
    /* 76 */ OrtStatus *(*AllocatorFree)(OrtAllocator *allocator, void *pointer);
    /* 77 */ void *unused77;  // allocator: info
    /* 78 */ OrtStatus *(*GetAllocatorWithDefaultOptions)(OrtAllocator **out);
    /* 79 */ void *unused79;  // free dimension override (by denotation)
    /* 80 */ void *unused80;  // non-tensor: element
    /* 81 */ void *unused81;  // non-tensor: count
    /* 82 */ void *unused82;  // non-tensor: create
    /* 83 */ void *unused83;  // opaque: create
    /* 84 */ void *unused84;  // opaque: read
    /* 85 */ void *unused85;  // kernel info: float attribute
    /* 86 */ void *unused86;  // kernel info: int64 attribute
    /* 87 */ void *unused87;  // kernel info: string attribute
    /* 88 */ void *unused88;  // kernel context: input count
    /* 89 */ void *unused89;  // kernel context: output count
    /* 90 */ void *unused90;  // kernel context: input
    /* 91 */ void *unused91;  // kernel context: output
    /* 92 */ void (*ReleaseEnv)(OrtEnv *env);
    /* 93 */ void (*ReleaseStatus)(OrtStatus *status);
    /* 94 */ void (*ReleaseMemoryInfo)(OrtMemoryInfo *info);
    /* 95 */ void (*ReleaseSession)(OrtSession *session);
    /* 96 */ void (*ReleaseValue)(OrtValue *value);
    /* 97 */ void *unused97;  // run options: release
    /* 98 */ void (*ReleaseTypeInfo)(OrtTypeInfo *type_info);
    /* 99 */ void (*ReleaseTensorTypeAndShapeInfo)(OrtTensorTypeAndShapeInfo *info);
    /* 100 */ void (*ReleaseSessionOptions)(OrtSessionOptions *options);
    /* 101 */ void *unused101;  // custom op domain: release
    /* 102 */ void *unused102;  // type info: denotation
    /* 103 */ void *unused103;  // type info: as map
    /* 104 */ void *unused104;  // type info: as sequence
    /* 105 */ void *unused105;  // map type: key type
    /* 106 */ void *unused106;  // map type: value type
    /* 107 */ void *unused107;  // sequence type: element type
    /* 108 */ void *unused108;  // map type: release
    /* 109 */ void *unused109;  // sequence type: release
    /* 110 */ void *unused110;  // session: end profiling
    /* 111 */ void *unused111;  // session: model metadata
    /* 112 */ void *unused112;  // metadata: producer
    /* 113 */ void *unused113;  // metadata: graph name
    /* 114 */ void *unused114;  // metadata: domain
    /* 115 */ void *unused115;  // metadata: description
    /* 116 */ void *unused116;  // metadata: custom map lookup
    /* 117 */ void *unused117;  // metadata: version
    /* 118 */ void *unused118;  // metadata: release
    /* 119 */ void *unused119;  // env with global thread pools
    /* 120 */ void *unused120;  // options: no per-session threads
    /* 121 */ void *unused121;  // threading options: create
    /* 122 */ void *unused122;  // threading options: release
    /* 123 */ void *unused123;  // metadata: custom map keys
    /* 124 */ void *unused124;  // free dimension override (by name)
    /* 125 */ OrtStatus *(*GetAvailableProviders)(char ***out_ptr, int *provider_length);
    /* 126 */ OrtStatus *(*ReleaseAvailableProviders)(char **ptr, int providers_length);
    /* 127 */ void *unused127;  // string tensor: element length
    /* 128 */ void *unused128;  // string tensor: element
    /* 129 */ void *unused129;  // string tensor: fill element
    /// Sets a string key/value session option (e.g. "session.intra_op.allow_spinning" = "0"); API version 5 and up.
    /* 130 */ OrtStatus *(*AddSessionConfigEntry)(OrtSessionOptions *options, const char *key, const char *value);
    // Later slots exist in the runtime but are not declared: we never call them.
};

// Compile-time checks of slot positions against the indices upstream's own layout asserts and counting give.
#ifdef __cplusplus
#define EMBEVAL_ORT_SLOT_CHECK static_assert
#else
#define EMBEVAL_ORT_SLOT_CHECK _Static_assert
#endif
EMBEVAL_ORT_SLOT_CHECK(offsetof(struct EmbevalOrtApi, SetIntraOpNumThreads) / sizeof(void *) == 24, "slot 24 moved");
EMBEVAL_ORT_SLOT_CHECK(offsetof(struct EmbevalOrtApi, ReleaseSessionOptions) / sizeof(void *) == 100, "slot 100 moved");
EMBEVAL_ORT_SLOT_CHECK(offsetof(struct EmbevalOrtApi, ReleaseAvailableProviders) / sizeof(void *) == 126, "slot 126 moved");
EMBEVAL_ORT_SLOT_CHECK(offsetof(struct EmbevalOrtApi, AddSessionConfigEntry) / sizeof(void *) == 130, "slot 130 moved");

#ifdef __cplusplus
}
#endif
