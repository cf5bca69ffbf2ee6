{
  "targets": [
    {
      "target_name": "switchyard_native",
      "sources": ["src/sgemm.c"],
      "cflags": ["-O3", "-std=c11"],
      "include_dirs": ["/usr/include/x86_64-linux-gnu", "/usr/include/openblas"],
      "libraries": ["-lopenblas"]
    }
  ]
}
