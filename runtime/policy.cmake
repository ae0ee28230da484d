# The seccomp partition filter, generated from libos/syscall_table.def.
# Included from runtime/CMakeLists.txt.
get_filename_component(_litebox_root ${CMAKE_CURRENT_LIST_DIR}/.. ABSOLUTE)
add_library(litebox_policy STATIC ${CMAKE_CURRENT_LIST_DIR}/seccomp_policy.cpp)
litebox_hosted(litebox_policy)
# Consumers include "runtime/seccomp_policy.hpp" from the repo root.
target_include_directories(litebox_policy INTERFACE ${_litebox_root})
target_link_libraries(litebox_policy PUBLIC litebox_seccomp)
# The table is an X-macro include: rebuild when it changes.
set_property(SOURCE ${CMAKE_CURRENT_LIST_DIR}/seccomp_policy.cpp APPEND PROPERTY
  OBJECT_DEPENDS ${_litebox_root}/libos/syscall_table.def)
