/**
 * Coupons and promotion codes (issue 55): a coupon is a discount a platform admin defines (a
 * percentage, or an amount in one currency, off the plan fees, the usage of some meters and the
 * store items it applies to, for once, some or every billing period); its promotion codes are
 * what customers type. An organization's Owner redeems a code ({@link
 * io.streamspace.billing.coupons.Coupons#redeem}); invoicing then takes the discount off the
 * lines it applies to ({@link io.streamspace.billing.coupons.Discount}, priced in {@code
 * invoicing}). Imports no invoicing, payments or HTTP type: those import this.
 */
package io.streamspace.billing.coupons;
