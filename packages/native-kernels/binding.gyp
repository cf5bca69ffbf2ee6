{
  "targets": [
    {
      "target_name": "switchyard_native",
      "sources": ["src/addon.c", "src/gemm.c", "src/elementwise.c", "src/reduce.c", "src/shape.c", "src/fused.c"],
      "cflags": ["-O3", "-std=gnu11", "-march=native", "-fopenmp", "-fno-math-errno", "-fno-trapping-math", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "ldflags": ["-fopenmp"],
      "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/x86_64-linux-gnu", "/usr/include/openblas"],
      "libraries": ["-lopenblas", "-lgomp"]
    }
  ]
}
