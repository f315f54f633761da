/*
 * Demo firmware for an STM32F103C8 "Blue Pill": blinks the LED on PC13 in a pattern read from a table that the
 * linker places on its own at 0x08004000, so every image built from it has two flash segments.
 *
 * Register addresses and bits from RM0008 (STM32F10x reference manual): RCC base 0x40021000, APB2ENR at +0x18
 * with IOPCEN = bit 4 (§7.3.7); GPIOC base 0x40011000, CRH at +0x04 (pins 8-15, 4 bits each: MODE[1:0] CNF[1:0],
 * §9.2.2), BSRR at +0x10 (§9.2.5).
 */
#include <stdint.h>

#define REG(address) (*(volatile uint32_t *)(address))
#define RCC_APB2ENR REG(0x40021018u)
#define RCC_APB2ENR_IOPCEN (1u << 4)
#define GPIOC_CRH REG(0x40011004u)
#define GPIOC_BSRR REG(0x40011010u)
#define LED_PIN 13u

/* Blink pattern: on/off delay counts. Placed in its own section at 0x08004000 by stm32f103c8.ld. */
__attribute__((section(".blink_table"), used)) const uint32_t blink_table[8] = {
    200000u, 200000u, 200000u, 200000u, 200000u, 800000u, 0x424c494eu /* "NILB" */, 0u,
};

/* Initialised data: lives in RAM, loaded from flash by Reset_Handler. */
static volatile uint32_t blink_rounds = 3u;
static volatile uint32_t scale = 2u;
/* Zero-initialised data (.bss): takes RAM, no flash. */
static volatile uint32_t led_toggles;

static void delay(uint32_t count) {
  for (volatile uint32_t i = 0; i < count; i++) {
  }
}

int main(void) {
  RCC_APB2ENR |= RCC_APB2ENR_IOPCEN;
  /* PC13: MODE13 = 0b10 (output, 2 MHz), CNF13 = 0b00 (push-pull): bits 23:20 of CRH. */
  GPIOC_CRH = (GPIOC_CRH & ~(0xfu << 20)) | (0x2u << 20);
  for (;;) {
    for (uint32_t step = 0; blink_table[step] != 0x424c494eu; step += 2) {
      GPIOC_BSRR = 1u << (LED_PIN + 16); /* reset PC13: the Blue Pill LED is active low, so on */
      delay(blink_table[step] / scale);
      GPIOC_BSRR = 1u << LED_PIN; /* set PC13: off */
      led_toggles++;
      delay(blink_table[step + 1] / scale);
    }
    blink_rounds++;
  }
}
