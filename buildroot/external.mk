include $(sort $(wildcard $(BR2_EXTERNAL_MODLATCH_PATH)/package/*/*.mk))
