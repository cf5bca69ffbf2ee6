// tf.tidy for results that are plain records of tensors (tidy keeps every tensor it finds in
// the returned value, nested objects and arrays included; other fields pass through).
import * as tf from '@tensorflow/tfjs';

export function tidyRecord<T>(fn: () => T): T {
  return tf.tidy(() => fn() as unknown as tf.TensorContainer) as unknown as T;
}
