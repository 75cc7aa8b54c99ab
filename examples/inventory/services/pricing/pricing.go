// Package pricing computes prices with discounts for the inventory service.
package pricing

import "errors"

// ErrNegative is returned for negative quantities.
var ErrNegative = errors.New("negative quantity")

// Quote is a computed price for a number of units.
type Quote struct {
	UnitCents  int
	TotalCents int
}

// Discounter decides the discount for an order.
type Discounter interface {
	// Percent returns the discount in percent for a quantity.
	Percent(quantity int) int
}

// Price computes the price of quantity units with a discount.
// It returns ErrNegative when quantity is below zero.
func Price(unitCents, quantity int, d Discounter) (Quote, error) {
	if quantity < 0 {
		return Quote{}, ErrNegative
	}
	total := unitCents * quantity * (100 - d.Percent(quantity)) / 100
	return Quote{UnitCents: unitCents, TotalCents: total}, nil
}

// Add sums quotes.
func (q *Quote) Add(others ...Quote) {
	for _, o := range others {
		q.TotalCents += o.TotalCents
	}
}

func round(cents int) int { return cents }
