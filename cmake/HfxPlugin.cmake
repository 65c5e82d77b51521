# hfx_add_plugin(<name> SOURCES a.cpp ...)
# Builds libhfx_<name>.so against the SDK with every symbol hidden except the
# entry point, next to the other plugins of the build (in tree) or of this
# project (out of tree), and installs it into the plugin folder. <name> must be
# the name the plugin declares in HFX_PLUGIN ('-' and '_' count as the same).
function(hfx_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  set(target hfx_${name})
  add_library(${target} MODULE ${ARG_SOURCES})
  if(TARGET hfexport::sdk)
    target_link_libraries(${target} PRIVATE hfexport::sdk)
  else()
    target_link_libraries(${target} PRIVATE hfx_sdk)
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX "lib"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    CXX_STANDARD 20)
  # Only the entry point is exported: hidden visibility leaves the weak template instances of the
  # standard library visible, which a version script does not.
  if(NOT APPLE AND NOT WIN32)
    set(map ${CMAKE_BINARY_DIR}/hfx_plugin_exports.map)
    if(NOT EXISTS ${map})
      file(WRITE ${map} "{\n  global: hfx_plugin_entry;\n  local: *;\n};\n")
    endif()
    target_link_options(${target} PRIVATE "LINKER:--version-script=${map}")
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${map})
  endif()
  if(HFX_PLUGIN_BUILD_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${HFX_PLUGIN_BUILD_DIR})
  endif()
  if(HFX_PLUGIN_INSTALL_DIR)
    install(TARGETS ${target} LIBRARY DESTINATION ${HFX_PLUGIN_INSTALL_DIR})
  endif()
endfunction()
