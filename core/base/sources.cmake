# base: Result/Error, byte sources (mmap), progress, parallel loops, job queue.
list(APPEND QV_CORE_SOURCES
  base/byte_source.cpp
  base/mapping_guard.cpp
  base/page_releaser.cpp
  base/parallel.cpp
  base/job_queue.cpp
)
