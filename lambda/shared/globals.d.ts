// Defined by esbuild in deployed bundles (see BUNDLED_DATASETS_GLOBAL); undefined in tests.
declare const __PIPELINE_DATASETS__: string | undefined;
declare const __PIPELINE_SOURCES__: string | undefined;
