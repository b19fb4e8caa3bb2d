# GUI smoke tests: the real quantviz binary under Xvfb in screenshot mode, PNG checked by qv_png_check.
if(TARGET quantviz)
  add_executable(qv_png_check ${CMAKE_CURRENT_LIST_DIR}/png_check.cpp)
  target_link_libraries(qv_png_check PRIVATE qv_imgui qv_warnings)
  set_target_properties(qv_png_check PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  set(_qv_gui_run ${CMAKE_CURRENT_LIST_DIR}/run_screenshot.sh $<TARGET_FILE:quantviz> $<TARGET_FILE:qv_png_check>)
  set(_qv_gui_out ${CMAKE_BINARY_DIR}/tests/gui)
  file(MAKE_DIRECTORY ${_qv_gui_out})

  add_test(NAME gui.sample_screenshot COMMAND ${_qv_gui_run} ${_qv_gui_out}/sample.png 0 ""
           ${CMAKE_SOURCE_DIR}/assets/sample.safetensors)
  add_test(NAME gui.shared_model_4bit_codes COMMAND ${_qv_gui_run} ${_qv_gui_out}/stories-4bit.png 0 ""
           ${QV_SHARED_MODELS_DIR}/stories260K/stories260K-f32.safetensors
           --tensor layers.0.feed_forward.w1.weight --bits 4 --tab codes --log-y)
  add_test(NAME gui.shared_model_per_channel COMMAND ${_qv_gui_run} ${_qv_gui_out}/stories-channel.png 0 ""
           ${QV_SHARED_MODELS_DIR}/stories260K/stories260K-f32.safetensors
           --tensor layers.1.attention.wq.weight --granularity channel:0 --tab channels)
  add_test(NAME gui.shared_model_overview COMMAND ${_qv_gui_run} ${_qv_gui_out}/stories-overview.png 0 ""
           ${QV_SHARED_MODELS_DIR}/stories260K/stories260K-f32.safetensors --tab overview --bits 4)
  add_test(NAME gui.sample_heatmap COMMAND ${_qv_gui_run} ${_qv_gui_out}/sample-heatmap.png 0 ""
           ${CMAKE_SOURCE_DIR}/assets/sample.safetensors --tensor model.layers.0.mlp.down_proj.weight --tab heatmap)
  # The heatmap texture with per-channel 2-bit parameters (per-slice error pass in the heatmap job).
  add_test(NAME gui.sample_heatmap_2bit_channel COMMAND ${_qv_gui_run} ${_qv_gui_out}/sample-heatmap-2bit.png 0 ""
           ${CMAKE_SOURCE_DIR}/assets/sample.safetensors --tensor model.layers.0.mlp.down_proj.weight --tab heatmap
           --bits 2 --granularity channel:0)
  # A Q4_K tensor of a GGUF file with its F32 twin as reference: the browser tree, the stored type and
  # bits/weight, and the file's error beside quantviz's scheme (comparison job settled before the PNG).
  add_test(NAME gui.stored_quant_reference COMMAND ${_qv_gui_run} ${_qv_gui_out}/hey-jarvis-q4k.png 0 ""
           ${QV_SHARED_MODELS_DIR}/hey_jarvis/hey_jarvis_v0.1-q4_k.gguf --tensor model.1.weight
           --reference ${QV_SHARED_MODELS_DIR}/hey_jarvis/hey_jarvis_v0.1-f32.gguf)
  set_tests_properties(gui.stored_quant_reference PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 400 RUN_SERIAL TRUE)
  # The Compare tab with scheme B from the command line: 2-bit min-max (A) against 8-bit MSE (B) on a real
  # layer; the comparison's exact passes settle before the PNG.
  add_test(NAME gui.compare_schemes COMMAND ${_qv_gui_run} ${_qv_gui_out}/compare-schemes.png 0 ""
           ${QV_SHARED_MODELS_DIR}/hey_jarvis/hey_jarvis_v0.1-f32.gguf --tensor model.1.weight --bits 2
           --tab compare --compare-scheme 8:sym:mse)
  set_tests_properties(gui.compare_schemes PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 400 RUN_SERIAL TRUE)
  # A file that fails to open: the error dialog is rendered into the PNG, the message names the
  # file on stderr, and the exit code is 1 (documented in quantviz --help).
  add_test(NAME gui.bad_file_shows_error COMMAND ${_qv_gui_run} ${_qv_gui_out}/broken.png 1 "broken.safetensors"
           gen-broken:${_qv_gui_out}/broken.safetensors)
  set_tests_properties(gui.sample_screenshot gui.shared_model_4bit_codes gui.shared_model_per_channel
                       gui.shared_model_overview gui.sample_heatmap gui.sample_heatmap_2bit_channel gui.bad_file_shows_error PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 400 RUN_SERIAL TRUE)
endif()

# PNG of one view (--screenshot-view): the crop must equal the region of the full window's PNG. The
# rectangles at 1280×800 with the 15 px DejaVu font and ImGui's default style (child sizes floored):
# menu bar 15 + 2·3 = 21, content from (8, 29), 1264 × 763; browser floor(max(260, 0.33·1264)) = 417
# wide; status line 21 + 4 + 4 → main height 734. Histogram: x 8 + 417 + 8 = 433, width 1272 − 433 = 839,
# height 734/2 = 367. Browser: 8, 29, 417 × 734. Tab: x 433 + floor(0.34·839) + 8 = 726, y 29 + 367 + 4
# = 400, width 1272 − 726 = 546, height 734 − 371 = 363.
if(TARGET quantviz)
  add_executable(qv_png_crop_check ${CMAKE_CURRENT_LIST_DIR}/png_crop_check.cpp)
  target_link_libraries(qv_png_crop_check PRIVATE qv_imgui qv_warnings)
  set_target_properties(qv_png_crop_check PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  set(_qv_crop_run ${CMAKE_CURRENT_LIST_DIR}/run_view_crop.sh $<TARGET_FILE:quantviz> $<TARGET_FILE:qv_png_crop_check>)
  add_test(NAME gui.view_crop_histogram COMMAND ${_qv_crop_run} ${_qv_gui_out}/crop-sample histogram 433,29,839,367
           ${CMAKE_SOURCE_DIR}/assets/sample.safetensors --tensor model.layers.0.mlp.down_proj.weight --bits 4)
  add_test(NAME gui.view_crop_tab COMMAND ${_qv_crop_run} ${_qv_gui_out}/crop-codes tab 726,400,546,363
           ${CMAKE_SOURCE_DIR}/assets/sample.safetensors --tab codes --bits 3)
  add_test(NAME gui.view_crop_browser COMMAND ${_qv_crop_run} ${_qv_gui_out}/crop-browser browser 8,29,417,734
           ${CMAKE_SOURCE_DIR}/assets/sample.safetensors)
  # --export-tables in screenshot mode: with the overview swept, the sample's default tensor has eight
  # tables (calibrators, code usage, the heatmap's top-k, row and column ranges — built for the export
  # though the Heatmap tab never drew —, overview, metadata, tensor list), each as CSV and JSON.
  add_test(NAME gui.export_tables COMMAND ${_qv_gui_run} ${_qv_gui_out}/export-tables.png 0
           "wrote 16 files (8 tables, CSV and JSON) to ${_qv_gui_out}/export-tables"
           ${CMAKE_SOURCE_DIR}/assets/sample.safetensors --tab overview --bits 4
           --export-dir ${_qv_gui_out}/export-tables --export-tables)
  set_tests_properties(gui.view_crop_histogram gui.view_crop_tab gui.view_crop_browser gui.export_tables PROPERTIES
                       SKIP_RETURN_CODE 77 TIMEOUT 600 RUN_SERIAL TRUE)
endif()
