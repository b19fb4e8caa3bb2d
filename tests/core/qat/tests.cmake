# QAT demo core: toy data, the tiny MLP's forward/backward, fake quantization and the STE, LSQ, the trainer.
qv_add_test(qv_qat_tests
  ${CMAKE_CURRENT_LIST_DIR}/fake_quant_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lsq_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tiny_mlp_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/qat_trainer_test.cpp
)
