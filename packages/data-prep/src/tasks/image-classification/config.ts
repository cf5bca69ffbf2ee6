// Config of the image-classification task's data (the data-prep config's `image` key): which
// Fashion-MNIST files and how the validation split is carved from train. JSON Schema 2020-12,
// embedded in the data-prep schema (src/config.ts); unknown keys rejected.

/** Where the IDX files come from. */
export type ImageSourceSpec = 'embedded' | 'auto' | 'full' | { path: string };

export interface ImageDataConfig {
  /** Defaults to "embedded". */
  source?: ImageSourceSpec;
  /** Train image i (0-based, file order) goes to validation when i mod N = N − 1; 0: no validation split. Defaults to 10. */
  validationEvery?: number;
}

export const IMAGE_DATA_DEFAULTS = { source: 'embedded', validationEvery: 10 } as const;

export const imageDataConfigSchema = {
  type: 'object', additionalProperties: false,
  description: 'Task "image-classification" only (Fashion-MNIST IDX files): source and validation carving. Other tasks ignore it; the image task ignores source/splits/fields/normalise/tokenizer.',
  properties: {
    source: {
      description: '"embedded": datasets/embedded-fashion-mnist (6,000/1,000, class-balanced); "auto": FASHION_MNIST_DIR, then /usr/share/datasets/fashion-mnist (Debian dataset-fashion-mnist), then the embedded subset; "full": FASHION_MNIST_DIR, then the Debian folder, else an error (never the subset); {path}: a folder with the four IDX files.',
      default: 'embedded',
      anyOf: [
        { type: 'string', enum: ['embedded', 'auto', 'full'] },
        { type: 'object', additionalProperties: false, required: ['path'], properties: { path: { type: 'string', minLength: 1 } } },
      ],
    },
    validationEvery: {
      type: 'integer', minimum: 0, default: 10,
      description: 'Train image i (0-based, in file order) goes to the validation split when i mod N = N − 1 (N = 10: every tenth image, 10 %); 0: no validation split.',
    },
  },
} as const;
