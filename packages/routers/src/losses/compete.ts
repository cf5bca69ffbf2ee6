// CompeteSMoE router loss (Pham et al. 2024, arXiv 2402.02526, eq. 6): the router's softmax
// r is regressed onto the competition target t (softmax of the winners' responses, 0 elsewhere):
//   L = mean_{n,e} (r_{n,e} − t_{n,e})²   (opt_loss "mse", mean over N·E entries).
import * as tf from '@tensorflow/tfjs';

export function competeRouterLoss(routerProbs: tf.Tensor2D, target: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.square(tf.sub(routerProbs, target))) as tf.Scalar);
}
