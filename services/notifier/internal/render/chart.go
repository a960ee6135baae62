package render

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"sync"
)

// Bar is one symbol's pair of bars, in thousandths of the portfolio (0 to 1000).
type Bar struct{ Target, Current int }

// Chart colours: target in blue, current in grey, on white with a light grid.
var (
	targetColour  = color.RGBA{0x1f, 0x6f, 0xb5, 0xff}
	currentColour = color.RGBA{0xa0, 0xa8, 0xb0, 0xff}
	gridColour    = color.RGBA{0xe4, 0xe7, 0xeb, 0xff}
)

// encoderBuffers reuses the PNG encoder's compressor (about 1 MB) across charts.
var encoderBuffers = &bufferPool{}

type bufferPool struct{ p sync.Pool }

func (b *bufferPool) Get() *png.EncoderBuffer {
	if e, ok := b.p.Get().(*png.EncoderBuffer); ok {
		return e
	}
	return nil
}

func (b *bufferPool) Put(e *png.EncoderBuffer) { b.p.Put(e) }

// Chart layout in pixels.
const (
	chartWidth = 400
	barHeight  = 10
	rowHeight  = 30
	padding    = 8
)

// Chart draws one row per symbol, in the table's order: the target bar above the current bar,
// lengths proportional to weight, with grid lines every 25%. The bytes depend only on the bars.
func Chart(bars []Bar) ([]byte, error) {
	if len(bars) == 0 || len(bars) > 200 {
		return nil, fmt.Errorf("chart: %d bars, want 1 to 200", len(bars))
	}
	h := 2*padding + len(bars)*rowHeight
	// A four-colour palette keeps the PNG small and quick to encode; index 0 (white) is the
	// background the image starts with.
	palette := color.Palette{color.RGBA{0xff, 0xff, 0xff, 0xff}, gridColour, targetColour, currentColour}
	img := image.NewPaletted(image.Rect(0, 0, chartWidth, h), palette)
	inner := chartWidth - 2*padding
	for q := 0; q <= 4; q++ {
		x := padding + q*inner/4
		fill(img, image.Rect(x, padding/2, x+1, h-padding/2), 1)
	}
	length := func(permille int) int { return min(max(permille, 0), 1000) * inner / 1000 }
	for i, b := range bars {
		y := padding + i*rowHeight + (rowHeight-2*barHeight-2)/2
		fill(img, image.Rect(padding, y, padding+length(b.Target), y+barHeight), 2)
		fill(img, image.Rect(padding, y+barHeight+2, padding+length(b.Current), y+2*barHeight+2), 3)
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.DefaultCompression, BufferPool: encoderBuffers}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode chart: %w", err)
	}
	return buf.Bytes(), nil
}

func fill(img *image.Paletted, r image.Rectangle, index uint8) {
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := img.Pix[img.PixOffset(r.Min.X, y):img.PixOffset(r.Max.X, y)]
		for i := range row {
			row[i] = index
		}
	}
}
